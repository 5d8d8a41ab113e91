"""The toolkit modules are pure: plain data in and out, no Flask, no database, no other feature's services."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = [
    "consult/deliberation/themes.py",
    "consult/deliberation/stopwords.py",
    "consult/documents/diff.py",
    "consult/accountability/ikm.py",
    "consult/accountability/deadlines.py",
    "consult/accountability/commitments.py",
    "consult/monitoring/charts.py",
    "consult/monitoring/opinion_map.py",
    "consult/monitoring/svg.py",
    "consult/monitoring/xmltext.py",
    "consult/monitoring/atom.py",
    "consult/monitoring/signing.py",
    "consult/monitoring/archive.py",
    "consult/monitoring/archive_readme.py",
    "consult/monitoring/tabular.py",
]
ALLOWED_CONSULT = {"consult.deliberation.stopwords", "consult.monitoring"}


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", PURE)
def test_a_toolkit_module_imports_no_flask_no_database_and_no_service(module):
    for name in imports(ROOT / module):
        top = name.split(".")[0]
        assert top not in {"flask", "flask_sqlalchemy", "sqlalchemy", "flask_babel", "werkzeug", "jinja2", "markupsafe"}
        if top == "consult":
            assert any(name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED_CONSULT), name
