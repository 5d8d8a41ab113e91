"""Schemathesis hooks for tests/api/test_api_fuzz.py (loaded with SCHEMATHESIS_HOOKS=tests.schemathesis_hooks).

Schemathesis' positive_data_acceptance expects every request that fits the document to be accepted, or refused for
who is asking or for the state of things (401, 403, 404, 409, 429). This API also refuses, with 422 naming the
field, schema-valid input that breaks a rule no JSON Schema can state. This check replaces it: a 422 to
schema-valid data passes only when every field it names is one of those, listed here; any other 422 (or 400) to
schema-valid data is a finding, as before.
"""

from __future__ import annotations

import json

import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

# (method, path) → the fields whose rule is beyond the schema (each stated in the document's descriptions)
RULES_BEYOND_THE_SCHEMA = {
    ("GET", "/rounds/{id}/comments"): {"cursor"},  # an opaque cursor this site made, for this order
    ("GET", "/comments/{id}/replies"): {"cursor"},
    ("GET", "/moderation-log"): {"cursor"},
    ("GET", "/rounds"): {"cursor"},
    ("GET", "/agencies/{slug}/complaints"): {"cursor"},
    ("GET", "/archives"): {"cursor"},
    ("GET", "/summaries"): {"cursor"},
    # a section of this round's document; an Idempotency-Key not used before for a different request (the fuzzer
    # sends the same few keys with many bodies)
    # with a non-web channel (staff entering a citizen's comment): a place that is not only spaces, a date within
    # the round and not in the future, a name that passes for nobody, and no reply (each in the document)
    ("POST", "/rounds/{id}/comments"): {
        "section_id",
        "Idempotency-Key",
        "assisted_on",
        "assisted_place",
        "assisted_name",
        "parent_id",
    },
    ("POST", "/rounds/{id}/extend"): {"closes_at"},  # in the future, later than now's closing, within 366 days
    ("POST", "/comments/{id}/moderation"): {"rule"},  # one of the agency's house rules in force
    # a rule of the agency in force, or (for "other") a reason: "reason or rule" is beyond the schema; a fresh
    # Idempotency-Key, as above
    ("POST", "/comments/{id}/reports"): {"reason", "rule", "Idempotency-Key"},
    # comments, a campaign or a section (with visible comments) of the theme's own round
    ("POST", "/themes/{id}/comments"): {"comment_ids", "campaign_id", "section_key"},
    # staff only, within 30 days back and not in the future; a published commitment or a service of that agency
    ("POST", "/complaints"): {"received_at", "commitment_id", "service", "complainant_name"},
    # a paper form's service date: today or within the last year, in the agency's time zone
    ("POST", "/agencies/{slug}/surveys"): {"served_on", "scores"},  # scores: whole numbers (1.0 is refused, as ids)
    # the revised text: sections with titles and bodies, themes of that round (each rule in the document)
    ("POST", "/documents/{id}/versions"): {"sections", "changes", "round_id"},
}


def _whole_float(value: object) -> bool:
    """A JSON number written with a fraction (1.0): JSON Schema counts it an integer; the API takes none as an
    id or a vote (docs/API.md: "1.0" is refused like "1")."""
    return isinstance(value, float) and value.is_integer()


def explained(method: str, path: str, body: object, fields: dict) -> bool:
    allowed = RULES_BEYOND_THE_SCHEMA.get((method, path), set())
    data = body if isinstance(body, dict) else {}
    # a field inside a list or object ("sections.0.title", "sections[1].key") is ruled by its top-level field
    return bool(fields) and all(
        name.split(".")[0].split("[")[0] in allowed or _whole_float(data.get(name)) for name in fields
    )


@schemathesis.check
def positive_data_acceptance_beyond_the_schema(ctx, response, case):
    """positive_data_acceptance, except for a 422 that names only fields whose rule no schema states."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 422:
            try:
                fields = json.loads(response.content)["error"].get("fields") or {}
            except (ValueError, KeyError, TypeError):
                raise
            if explained(case.method.upper(), case.operation.path, case.body, fields):
                return None
        raise
