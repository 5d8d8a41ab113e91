"""JSON API v1: witnesses who countersign the signed audit heads (issue 14, the public record)."""

from __future__ import annotations

from pydantic import Field, RootModel

from consult.api.auth import api_user
from consult.api.bodies import NONBLANK, RequestModel, identifier, text
from consult.api.schemas import ResponseModel, Time
from consult.api.views import api
from consult.monitoring import witnesses as service
from consult.timeutil import iso_utc


class NewWitness(RequestModel):
    documented_required = ("name", "public_key")
    name: text(minLength=1, maxLength=service.NAME_LIMIT, pattern=NONBLANK, description="shown publicly") = None
    public_key: text(minLength=1, maxLength=64, description="Ed25519 public key, base64 of 32 bytes") = None


class WitnessOut(ResponseModel):
    id: int
    name: str
    key_id: str
    public_key: str


class Countersigned(RequestModel):
    documented_required = ("seq", "hash", "at", "signature", "key_id", "countersignature")
    seq: identifier(description="as GET /api/v1/audit/head gave it") = None
    hash: text(minLength=64, maxLength=64) = None
    at: text(minLength=1, maxLength=40) = None
    signature: text(minLength=1, maxLength=120, description="the site's") = None
    key_id: text(minLength=1, maxLength=32, description="the site's key") = None
    countersignature: text(
        minLength=1,
        maxLength=120,
        description="base64 Ed25519 signature by the witness's key over the canonical JSON of "
        '{"seq", "hash", "at", "signature", "key_id"} (tools/witness.py)',
    ) = None


class HeadOut(ResponseModel):
    seq: int
    hash: str
    at: str
    signature: str
    key_id: str
    countersignature: str
    recorded_at: Time
    in_chain: bool = Field(description="whether the chain still has this entry with this hash (false proves a rewrite)")


class WitnessEntry(ResponseModel):
    id: int
    name: str
    key_id: str
    public_key: str
    heads_count: int
    latest_heads: list[HeadOut] = Field(description=f"the newest {service.SHOWN_HEADS}, newest first")


class WitnessList(RootModel[list[WitnessEntry]]):
    """A JSON array, oldest witness first."""


def _witness(w) -> WitnessOut:
    return WitnessOut(id=w.id, name=w.name, key_id=w.key_id, public_key=w.public_key)


def _head(h, in_chain: bool) -> HeadOut:
    return HeadOut(
        seq=h.seq,
        hash=h.hash,
        at=h.at,
        signature=h.signature,
        key_id=h.key_id,
        countersignature=h.countersignature,
        recorded_at=iso_utc(h.recorded_at),
        in_chain=in_chain,
    )


@api.get(
    "/witnesses",
    summary="The witnesses and the signed heads they countersigned, each checked against the chain",
    ok=WitnessList,
)
def list_witnesses() -> WitnessList:
    return WitnessList(
        [
            WitnessEntry(
                **_witness(s.witness).model_dump(),
                heads_count=s.count,
                latest_heads=[_head(h, ok) for h, ok in s.heads],
            )
            for s in service.page()
        ]
    )


@api.post(
    "/witnesses",
    summary="An observer registers the Ed25519 key they countersign heads with",
    description="Observers only (403 otherwise). Audited as witness.registered with the name and key id.",
    auth=True,
    ok=(201, WitnessOut),
    body=NewWitness,
    errors=[403, 409],
)
def register_witness(body: NewWitness) -> WitnessOut:
    return _witness(service.register(api_user(), body.name, body.public_key))


@api.post(
    "/witnesses/heads",
    summary="A witness records a signed head they fetched, with their countersignature",
    description="422 when the site's signature or the countersignature does not verify; 409 before a key is "
    "registered and for the same seq twice.",
    auth=True,
    ok=(201, HeadOut),
    body=Countersigned,
    errors=[403, 409],
)
def countersign_head(body: Countersigned) -> HeadOut:
    row = service.countersign(api_user(), body.model_dump())
    return _head(row, True)
