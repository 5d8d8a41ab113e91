"""Racing real processes against one database: the one harness the concurrency tests share.

Each worker is `python -c SCRIPT ARGS…` with the checkout on its path. It signals that it is ready by creating
`<barrier>/ready-<anything>` (or `ready-<phase>-<anything>` for each phase) and waits for `<barrier>/go` (or
`go-<phase>`), so that all of them start an action at the same moment. Its last line of output is its JSON
report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_workers(
    script: str,
    arguments: Sequence[Sequence[str]],
    barrier: Path,
    *,
    phases: Sequence[str] | None = None,
    start_timeout: float = 90,
    timeout: float = 120,
    forbidden: Sequence[str] = ("database is locked",),
) -> list[Any]:
    """Start one worker per argument list, release them together (phase by phase), return their JSON reports.

    Fails when a worker does not get ready in time, exits early, exits with an error, or writes one of the
    `forbidden` texts to stderr (a lock error is a bug even when the worker recovered from it)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in arguments
    ]
    try:
        for phase in phases or [None]:
            ready, go = ("ready-*", "go") if phase is None else (f"ready-{phase}-*", f"go-{phase}")
            deadline = time.monotonic() + start_timeout
            while len(list(barrier.glob(ready))) < len(procs):
                assert time.monotonic() < deadline, f"workers did not get ready ({ready})"
                assert all(p.poll() is None for p in procs), "a worker exited early: " + "".join(
                    p.communicate()[1][-2000:] for p in procs if p.poll() is not None
                )
                time.sleep(0.005)
            (barrier / go).touch()
        outputs = [p.communicate(timeout=timeout) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    reports = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-3000:]
        for text in forbidden:
            assert text not in err, err[-3000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports
