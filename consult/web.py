"""Cross-cutting HTTP concerns: error pages, security headers, trusted hosts, template helpers, health and language."""

from __future__ import annotations

from collections.abc import Mapping
from functools import wraps
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, g, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from consult import idempotency, params
from consult.errors import ServiceError
from consult.i18n import LANG_COOKIE, format_localtime, time_tag


def public_url(endpoint: str, **values) -> str:
    """An absolute link built from PUBLIC_URL, for e-mails and feeds (mails are written outside any request, and a
    link must not depend on the address a request happened to come in on)."""
    anchor = values.pop("_anchor", None)
    parts = urlsplit(current_app.config["PUBLIC_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https")
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

ERROR_TEXT = {
    400: ("Permintaan tidak valid", "Bad request"),
    401: ("Perlu masuk", "Login required"),
    403: ("Akses ditolak", "Forbidden"),
    404: ("Halaman tidak ditemukan", "Not found"),
    405: ("Metode tidak diizinkan", "Method not allowed"),
    409: ("Konflik", "Conflict"),
    413: ("Kiriman terlalu besar", "Request too large"),
    422: ("Isian tidak valid", "Invalid input"),
    429: ("Terlalu banyak permintaan", "Too many requests"),
    500: ("Terjadi kesalahan", "Server error"),
}


MAX_NEXT_CHARS = 1000  # a return address longer than any page of this site is none of its pages


def safe_local_path(target: str | None) -> str | None:
    """`target` as a path on this site (path, query and fragment only), else None: no open redirect after login,
    registration or a language change.

    Only a path that starts with one "/" passes: an absolute URL ("https://evil.example"), a scheme ("javascript:",
    "data:"), a host ("//evil.example", "///evil.example") are refused. Browsers drop tabs and newlines inside URLs
    and read a backslash as a slash, so "/\t/evil.example" or "/\\evil.example" would leave the site: any whitespace,
    control character or backslash is refused, and so is a path whose percent-decoded form would start with "//" or
    hold a backslash (some servers and proxies decode before redirecting).
    """
    if (
        not target
        or len(target) > MAX_NEXT_CHARS
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target)
    ):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    decoded = unquote(parts.path)
    if decoded.startswith("//") or "\\" in decoded or any(ord(ch) < 32 or ord(ch) == 127 for ch in decoded):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


# Pages whose address must not travel in a log-in link's `next`: the log-in flow itself, and pages with a secret
# token in their path (a confirmation, reset or unsubscribe link).
_NO_RETURN = {"accounts", "notifications.unsubscribe"}


def return_path() -> str | None:
    """This page's own address (path and query) for the header's "Log in" and "Register" links, so that the person
    comes back here; None on pages not worth coming back to (see _NO_RETURN), after a POST, or on an error page.

    The same for every reader of the address (the page cache keys pages by it): never anything per-person.
    """
    endpoint = request.endpoint or ""
    if request.method != "GET" or not endpoint or endpoint in _NO_RETURN or request.blueprint in _NO_RETURN:
        return None
    if endpoint in ("rounds.home", "static", "healthz") or endpoint.startswith("api."):
        return None
    return safe_local_path(request.full_path.rstrip("?"))


def wants_json() -> bool:
    return request.path.startswith("/api/")


def mark_no_store(response):
    """Tell every cache, the browser's included, to keep no copy of this response: for pages that show a secret
    (a new API token) or text hidden from the public (a moderator's review of a hidden comment), which must not
    come back from the cache of a shared computer (a kiosk, an internet café) after the person has left."""
    response.headers["Cache-Control"] = "no-store"
    return response


def no_store(view):
    """Decorator: the view's response, whatever its status, is marked no-store (see mark_no_store)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        return mark_no_store(make_response(view(*args, **kwargs)))

    return wrapper


DEVELOPMENT_HOSTS = ("127.0.0.1", "localhost")


def trusted_hosts(config: Mapping) -> list[str] | None:
    """The host names the site answers to (Flask's TRUSTED_HOSTS; None accepts any).

    TRUSTED_HOSTS as configured (a list, or "*" for any: when the proxy in front already checks); by default the
    host of PUBLIC_URL, and 127.0.0.1 and localhost in development. Every other Host (or X-Forwarded-Host behind
    PROXY_FIX) gets a 400, so no forged host is ever written into a link or a redirect.
    """
    configured = config.get("TRUSTED_HOSTS")
    if configured in ("*", ["*"], ("*",)):
        return None
    if configured:
        return list(configured)
    hosts = [urlsplit(config.get("PUBLIC_URL") or "").hostname or "localhost"]
    if config.get("DEVELOPMENT"):
        hosts += [h for h in DEVELOPMENT_HOSTS if h not in hosts]
    return hosts


def _healthy():
    """200 "ok" without touching the database."""
    response = make_response("ok", 200)
    response.mimetype = "text/plain"
    return response


def _untrusted_host():
    """A plain 400, before anything else runs: nothing may build a URL (or show a page) from a host we do not
    serve. The host itself is not repeated."""
    response = make_response("400 Bad Request: this site does not answer to that host name.\n", 400)
    response.mimetype = "text/plain"
    return response


def _error_message(status: int) -> str:
    messages = {
        400: _("The request could not be understood. Please go back and try again."),
        401: _("Please log in to continue."),
        403: _("You do not have permission to see this page or do this."),
        404: _("The page you asked for does not exist or was removed."),
        405: _("This address does not accept that kind of request."),
        409: _("This conflicts with the current state."),
        413: _("What you sent is larger than allowed. Shorten the text and send it again."),
        422: _("Please correct the marked fields."),
        429: _("Too many attempts in a short time. Please wait a few minutes and try again."),
        500: _("Something went wrong on our side. Your request was not saved; please try again."),
    }
    return messages.get(status, _("The request could not be processed."))


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": str(message)}}
    if fields:
        body["error"]["fields"] = {k: str(v) for k, v in fields.items()}
    return jsonify(body), status


def htmx_alert(message: str, status: int):
    """For an htmx request: the message in the page's alert area (#pesan), whatever element asked."""
    response = make_response(render_template("_alert.html", message=message), status)
    response.headers["HX-Retarget"] = "#pesan"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def error_page(status: int, message: str | None = None):
    if request.headers.get("HX-Request") == "true":
        return htmx_alert(message or _error_message(status), status)
    title_id, title_en = ERROR_TEXT.get(status, ERROR_TEXT[500])
    title = title_en if str(get_locale()) == "en" else title_id
    return render_template(
        "errors/error.html", status=status, title=title, message=message or _error_message(status)
    ), status


def larger_body(max_content_length: int, max_form_memory_size: int):
    """A view that takes more than MAX_CONTENT_LENGTH from people who are logged in (an uploaded file, a whole
    document's text). Everyone else, and every other view, keeps the site-wide limit."""

    def mark(view):
        view.body_limits = (max_content_length, max_form_memory_size)
        return view

    return mark


def init_app(app: Flask) -> None:
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)

    def refuse_untrusted_host():
        if isinstance(request.routing_exception, SecurityError):
            # /healthz builds nothing from the host: a load balancer or a local probe (curl 127.0.0.1:8000) may
            # ask it by any name.
            return _healthy() if request.path == "/healthz" else _untrusted_host()
        return None

    def raise_body_limit():
        limits = getattr(app.view_functions.get(request.endpoint or ""), "body_limits", None)
        if limits and current_user.is_authenticated:
            request.max_content_length, request.max_form_memory_size = limits

    # First of all before_request functions (CSRF's and the rate limiter's build on the host); then, before
    # anything reads the form (CSRF does), the body limit of the view.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_untrusted_host)
    app.before_request_funcs[None].insert(1, raise_body_limit)
    app.before_request(params.check_request_text)

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        if isinstance(exc, SecurityError):
            return _untrusted_host()
        status = exc.code or 500
        if wants_json():
            code = "rate_limited" if status == 429 else (exc.name or "error").lower().replace(" ", "_")
            return json_error(status, code, _error_message(status))
        if status == 401:
            return redirect(url_for("accounts.login", next=request.full_path))
        return error_page(status)

    @app.errorhandler(CSRFError)
    def handle_csrf(_exc: CSRFError):
        return error_page(400, _("The form expired or was sent from elsewhere. Reload the page and send it again."))

    @app.errorhandler(ServiceError)
    def handle_service_error(exc: ServiceError):
        if wants_json():
            return json_error(exc.status, exc.code, str(exc.message), exc.fields)
        if exc.status == 401 and request.headers.get("HX-Request") != "true":
            return redirect(url_for("accounts.login", next=request.full_path))
        if str(exc.message) == str(exc.default_message()):
            return error_page(exc.status)  # only the generic text: the page's own message says more
        return error_page(exc.status, str(exc.message))

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        from consult.extensions import db

        db.session.rollback()
        app.logger.exception("Unhandled error", exc_info=exc)
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise exc
        if wants_json():
            return json_error(500, "server_error", _error_message(500))
        return error_page(500)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", CSP)
        if hsts := app.config.get("STRICT_TRANSPORT_SECURITY"):
            response.headers.setdefault("Strict-Transport-Security", hsts)
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        response.vary.add("Cookie")
        return response

    app.add_url_rule("/healthz", "healthz", _healthy, methods=["GET"])

    def _language_response(lang: str, next_path: str | None):
        response = redirect(safe_local_path(next_path) or url_for("rounds.home"), code=303)
        if lang in app.config["LANGUAGES"]:
            session["lang"] = lang  # kept across the fresh session of a login (accounts); pages set no cookie
            response.set_cookie(
                LANG_COOKIE,
                lang,
                max_age=365 * 24 * 3600,
                httponly=True,
                samesite="Lax",
                secure=app.config["SESSION_COOKIE_SECURE"],
            )
        return response

    @app.post("/bahasa")
    def set_language():
        return _language_response(request.form.get("lang", ""), request.form.get("next"))

    @app.get("/bahasa/<lang>")
    def switch_language(lang: str):
        """The footer's language links: a GET that only sets the language cookie, so that a page for anonymous
        readers needs no per-visitor token (a forged switch of someone's language changes nothing else)."""
        return _language_response(lang, request.args.get("next"))

    app.add_template_filter(format_localtime, "localtime")  # plain text: e-mails
    app.add_template_filter(time_tag, "timetag")  # pages: the same text in a <time datetime> element
    app.add_template_global(idempotency.new_key, "submission_key")  # a form's one-time key (consult/idempotency.py)

    @app.context_processor
    def template_globals():
        return {"current_lang": str(get_locale()), "languages": app.config["LANGUAGES"], "return_path": return_path}

    @app.before_request
    def remember_htmx():
        g.htmx = request.headers.get("HX-Request") == "true"
