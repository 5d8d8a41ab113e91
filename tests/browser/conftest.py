"""Browser fixtures: the test app on a live local server, one headless Chromium per session, axe-core.

Every test gets a fresh browser context (a phone: 360x640 CSS px, Indonesian locale). Data a test creates is
committed, so the server thread sees it; tests/conftest.py empties the tables after each test.
"""

from __future__ import annotations

import functools
import json
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from consult.demo import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
AXE_VERSION = "4.11.0"
AXE = Path(__file__).resolve().parent / ".vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "id-ID",
}


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request would drown the test output
        pass


@pytest.fixture(scope="session")
def live_server(app):
    """Base URL of the test app served by werkzeug on 127.0.0.1 (free port) in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except BaseException:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


# Every page reports a Content-Security-Policy violation as a console error (an init script runs before the
# page's own scripts and is not subject to its CSP), so that one listener sees both.
_REPORT_CSP = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + (e.sourceFile || e.documentURI) + ":" + e.lineNumber);
});
"""
# A page or an htmx request answered 4xx on purpose (a refused form, an error page): Chromium logs its status as
# a console error, which is not a problem of the page. Anything else failing to load is.
_EXPECTED_STATUS = ("document", "xhr", "fetch")


def _watch(page, problems: list[str]) -> None:
    answered: dict[str, tuple[str, int]] = {}
    page.on("response", lambda r: answered.__setitem__(r.url, (r.request.resource_type, r.status)))

    def on_console(message) -> None:
        if message.type not in ("error", "assert") and "Content Security Policy" not in message.text:
            return
        if message.text.startswith("Failed to load resource: the server responded with a status of 4"):
            kind, status = answered.get(message.location.get("url", ""), ("", 0))
            if kind in _EXPECTED_STATUS and 400 <= status < 500:
                return
        problems.append(f"console {message.type} on {page.url}: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"script error on {page.url}: {exc}"))


@pytest.fixture
def console_problems():
    """What went wrong in the browser during the test: console errors, CSP violations and script errors of every
    page of every context the test opened. Asserted empty when the test ends (tests may look at it earlier)."""
    problems: list[str] = []
    yield problems
    assert problems == [], "the browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
def new_context(browser, live_server, console_problems):
    """Factory for phone-sized browser contexts; every context made is closed when the test ends.

    new_context(java_script_enabled=False) gives a context without JavaScript. The site's strict
    Content-Security-Policy is enforced in every context, axe-core runs too (axe_violations evaluates it through
    the DevTools protocol, which the CSP does not govern), and every console error, CSP violation or script error
    on any page fails the test (console_problems). `axe` is accepted for the tests that name it.
    """
    contexts = []

    def factory(axe: bool = True, **options):
        context = browser.new_context(base_url=live_server, **{**PHONE, **options})
        context.set_default_timeout(10_000)
        context.add_init_script(_REPORT_CSP)
        context.on("page", lambda page: _watch(page, console_problems))
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_context):
    """phone(js=True, email=None, axe=False): a page in a new phone context, logged in as `email` if given.
    A console error, a CSP violation or a script error on any of these pages fails the test when it ends."""

    def factory(*, js: bool = True, email: str | None = None, password: str = DEMO_PASSWORD, axe: bool = False):
        context = new_context(axe=axe, java_script_enabled=js)
        if email:
            response = context.request.post("/login", form={"email": email, "password": password})
            assert response.ok and "/login" not in response.url, f"log-in as {email} failed: {response.status}"
        return context.new_page()

    return factory


@pytest.fixture
def page(new_context):
    """A page in a fresh phone-sized context (JavaScript on, axe-ready)."""
    return new_context().new_page()


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A+AA and 2.2 AA rules) on the current page and return its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluated, not added as a <script>: the page's CSP (script-src 'self') stays on while axe runs
        page.evaluate(_axe_source())
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,"
        " nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}))",
        AXE_TAGS,
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}")
            for detail in (node["summary"] or "").splitlines():
                lines.append(f"        {detail}")
    return "\n".join(lines)


def assert_axe_clean(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core found violations on {page.url}:\n{format_violations(violations)}"


@pytest.fixture
def axe_check():
    """axe_check(page): fail with every axe-core violation (rule, help, target selectors) on the current page."""
    if not AXE.exists():
        pytest.skip("axe-core not fetched: run make test (needs npm)")
    return assert_axe_clean
