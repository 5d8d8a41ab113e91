"""The house rules of the code itself: one direction of imports, small modules.

A newcomer must find each thing where its name says; a feature must never reach up into the features built on
it (it sends a signal instead, consult/signals.py). These tests fail the build the moment a change breaks that.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 400


def test_imports_run_one_way_and_shared_modules_import_no_feature():
    """The import-linter contracts of pyproject.toml: the layers of the life cycle, shared modules, pure modules."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_no_python_module_of_the_application_passes_400_lines():
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "consult").rglob("*.py")
        if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}
