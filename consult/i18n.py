"""Language and time zone selection: Indonesian first, English second."""

from __future__ import annotations

import datetime as dt
import functools

import babel.dates
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import gettext as _gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

from consult.timeutil import local

ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

LANG_COOKIE = "consult_lang"


class LazyText(LazyString):
    """A translatable text resolved when shown, and always plain text to a template.

    Flask-Babel's LazyString.__html__ returns the text as it is, so Jinja's autoescape takes it for markup:
    a refusal such as "Blocked until … Reason: %(reason)s" with a moderator's reason formatted in rendered the
    reason as HTML (and htmx acted on the hx-* attributes it carried, with the viewer's CSRF token). Here
    __html__ escapes, so a lazy text, whatever was formatted into it, can never become markup.
    """

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_gettext(string: str, **variables) -> LazyText:
    """The one lazy gettext of the code base (imported as `_l`); flask_babel.lazy_gettext is not used."""
    return LazyText(_gettext, string, **variables)


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


def _translations():
    """The request's translations, looked up once per request (templates call gettext a hundred times)."""
    from flask import g
    from flask_babel import get_translations

    translations = g.get("_consult_translations")
    if translations is None:
        translations = g._consult_translations = get_translations()
    return translations


def install_template_gettext(app) -> None:
    """Give templates gettext functions that reuse the request's translations instead of finding them again
    on every call (measured: a third of the time spent rendering the round page went into those lookups)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def format_localtime(value, tz: str = "Asia/Jakarta") -> str:
    """Naive UTC → '21 Nov 2026, 20.30 WIB' in the agency's zone (minutes, no seconds); '' for None.

    The one way the site writes a moment for people (pages, e-mails, messages): the day, the month as a word
    (no 12/11 that reads two ways), the year, the time and the zone's abbreviation (WIB, WITA, WIT). In English
    'Nov 21, 2026, 8:30 PM WIB'. Pages use time_tag(), which wraps this text in a <time> element."""
    if value is None:
        return ""
    return _local_text(local(value, tz), tz)


def _local_text(aware: dt.datetime, tz: str) -> str:
    zone = ZONE_NAMES.get(tz, tz)
    locale = get_locale()
    return f"{_date_text(aware.date(), locale)}, {_time_text(aware.hour, aware.minute, locale)} {zone}"


def time_tag(value, tz: str = "Asia/Jakarta") -> Markup:
    """Naive UTC → <time datetime="2026-11-21T20:30:00+07:00">21 Nov 2026, 20.30 WIB</time> (the page filter
    `timetag`): the words for the reader, the ISO 8601 moment with its offset for machines. '' for None."""
    if value is None:
        return Markup("")
    aware = local(value, tz)
    return Markup('<time datetime="{}">{}</time>').format(aware.isoformat(timespec="seconds"), _local_text(aware, tz))


# Dates and times as words, per locale: Babel's formatting was about a tenth of the round page's rendering when
# done for each comment; the days and the minutes of a day repeat, so each text is made once per process.
@functools.lru_cache(maxsize=4096)
def _date_text(day: dt.date, locale) -> str:
    return babel.dates.format_date(day, "medium", locale=locale)


@functools.lru_cache(maxsize=4096)
def _time_text(hour: int, minute: int, locale) -> str:
    return babel.dates.format_time(dt.time(hour, minute), "short", locale=locale)
