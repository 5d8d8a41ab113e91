"""Language and time zone selection: Indonesian first, English second."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session

LANG_COOKIE = "consult_lang"


def select_locale() -> str:
    if not has_request_context():  # CLI, scheduler, scripts: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or session.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
