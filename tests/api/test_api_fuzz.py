"""Schemathesis, an independent API fuzzer, run against /api/v1/openapi.json finds nothing.

The demo data is loaded into the test database, the app is served on 127.0.0.1 and the `st` command runs
against it three times, with the bearer token of a moderator, an agency admin and a citizen: every phase
(examples, coverage, fuzzing, stateful through the document's links) and every check, with a bounded number of
examples per operation and a fixed seed. The one check replaced is positive_data_acceptance (see
tests/schemathesis_hooks.py): a 422 naming a field whose rule no schema can state is not a finding.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from consult.accounts.services import create_api_token, user_by_email
from consult.api import api
from consult.demo import load_demo
from consult.extensions import db
from consult.participation.services import post_comment
from consult.rounds.models import Round, RoundState

ROOT = Path(__file__).resolve().parents[2]
ST = Path(sys.executable).with_name("st")
MAX_EXAMPLES = 10  # per operation and phase: about 1,200 requests per role, 15 s on 2 cores
SEED = 20261


class _Quiet(WSGIRequestHandler):
    def log(self, *args, **kwargs):
        pass


@pytest.fixture
def server(app, monkeypatch):
    """The test app on a free port of 127.0.0.1, rate limits out of the way (429 is documented for every write,
    but a fuzzer spending its examples on it tests nothing else)."""
    for key in list(app.config):
        if key.endswith("_LIMIT") and isinstance(app.config[key], str):
            monkeypatch.setitem(app.config, key, "100000 per minute")
    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, name="fuzz-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def tokens(make) -> dict[str, str]:
    """The demo, a few comments in its open round, and a token for each role that writes."""
    accounts = dict(load_demo(sample_participation=False))
    citizen = user_by_email(accounts["citizen"])
    open_round = next(r for r in db.session.scalars(db.select(Round)) if r.state == RoundState.OPEN)
    for n, section in enumerate(open_round.version.sections[:3]):
        post_comment(make.user(), open_round, f"Komentar contoh {n}.", section_id=section.id, stance="support")
    post_comment(citizen, open_round, "Komentar warga pada seluruh dokumen.")
    db.session.commit()
    return {role: create_api_token(user_by_email(accounts[role])) for role in ("moderator", "agency_admin", "citizen")}


@pytest.mark.parametrize("role", ["moderator", "agency_admin", "citizen"])
def test_schemathesis_finds_nothing_in_the_api(server, tokens, role, tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks",
    }
    command = [
        str(ST),
        "run",
        f"{server}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {tokens[role]}",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--exclude-checks",
        "positive_data_acceptance",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--no-color",
    ]
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    report = run.stdout[-12000:] + run.stderr[-3000:]
    assert run.returncode == 0, report
    tried = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)\b", run.stdout)
    assert tried, report
    # every operation was tried (all but the document's own, which schemathesis leaves out)
    assert int(tried[1]) == int(tried[2]) == int(tried[3]) == len(api.operations) - 1, report
