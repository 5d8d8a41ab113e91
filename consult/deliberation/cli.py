"""`flask opinion compute` and `flask campaigns detect` (CONTRACT.md): compute, store, print the contract JSON.
`flask polis import` is in commands.py; COMMANDS lists all three groups for consult/cli.py.

Both store what they computed (the pages and the API read it), like the scheduled job; on a closed round whose
result is final, `opinion compute` prints the stored result unless its votes changed and `campaigns detect`
keeps the fixed campaign ids unless --recompute is given (a staff request: ids of campaigns that still exist
are kept).
"""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from consult.deliberation import services
from consult.deliberation.commands import polis_cli
from consult.errors import ServiceError

opinion_cli = AppGroup("opinion", help="Opinion groups (the Polis method) of a round.")
campaigns_cli = AppGroup("campaigns", help="Mass-comment campaigns (near-identical comments) of a round.")


def _fail(exc: ServiceError) -> None:
    click.echo(f"Error: {exc.message}", err=True)
    sys.exit(1)


@opinion_cli.command("compute")
@click.argument("round_id", type=click.IntRange(min=1))
@click.option("--section", "section_key", help="Only the comments of the section with this key.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (the last line).")
@click.option("--force", is_flag=True, help="Compute even when the votes did not change since the last result.")
def opinion_compute(round_id, section_key, as_json, force):
    try:
        services.refresh_opinion(round_id, section_key=section_key, force=force, actor="cli")
        rnd = services.get_round(round_id)
        data = services.opinion_for(rnd, section_key)
    except ServiceError as exc:
        _fail(exc)
    if data["message"]:
        click.echo(data["message"], err=True)  # too few votes: the result is empty, which is not an error
    if as_json:
        contract = {key: data[key] for key in ("round_id", "k", "participants", "consensus", "divisive")}
        click.echo(json.dumps(contract, ensure_ascii=False))
    else:
        click.echo(
            f"round {round_id}{' section ' + section_key if section_key else ''}: k={data['k']}, "
            f"{len(data['participants'])} participants placed, {data['vote_count']} votes"
        )


@campaigns_cli.command("detect")
@click.argument("round_id", type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (the last line).")
@click.option("--recompute", is_flag=True, help="Recompute a closed round's campaigns (ids that still exist kept).")
def campaigns_detect(round_id, as_json, recompute):
    try:
        services.refresh_campaigns(round_id, force=recompute, actor="cli")
        data = services.campaigns_contract(services.get_round(round_id))
    except ServiceError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps({"round_id": data["round_id"], "campaigns": data["campaigns"]}, ensure_ascii=False))
    else:
        for c in data["campaigns"]:
            click.echo(f"campaign {c['id']}: {c['size']} comments, representative {c['representative_id']}")
        click.echo(f"{len(data['campaigns'])} campaigns")


COMMANDS = (opinion_cli, campaigns_cli, polis_cli)
