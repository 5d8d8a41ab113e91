"""Saved searches of the moderation log, for the observer's desk: a name and the log's own address with its
filters (/moderasi?…, /rounds/<id>/moderasi?…), so opening one is opening the log as it was searched. Private to
the person (nothing public changes, so nothing is audited); at most MAX per person."""

from __future__ import annotations

import re

import sqlalchemy as sa

from consult.accounts.models import User
from consult.errors import Invalid, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.monitoring.models import SavedSearch
from consult.params import text_problem

MAX = 50
_LOG_PATH = re.compile(r"^/(moderasi|rounds/\d{1,9}/moderasi)(\?[^\s#]{0,380})?$")


def of(user: User) -> list[SavedSearch]:
    return list(
        db.session.scalars(sa.select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id))
    )


def save(user: User, name: object, query: object) -> SavedSearch:
    name = " ".join(str(name or "").split())[:80]
    query = str(query or "").strip()
    if not name or text_problem(name):
        raise Invalid(fields={"name": _l("Give the search a name.")})
    query = re.sub(r"([?&])cursor=[^&]*&?", r"\1", query).rstrip("?&")  # the search, not the page it was on
    if not _LOG_PATH.match(query):
        raise Invalid(fields={"query": _l("Only searches of the moderation log can be saved.")})
    with write_transaction():
        count = db.session.scalar(sa.select(sa.func.count()).where(SavedSearch.user_id == user.id))
        if count >= MAX:
            raise Invalid(fields={"name": _l("You have %(n)s saved searches: remove one first.", n=MAX)})
        row = SavedSearch(user_id=user.id, name=name, query=query)
        db.session.add(row)
    return row


def remove(user: User, search_id: int) -> None:
    with write_transaction():
        row = db.session.get(SavedSearch, search_id)
        if row is None or row.user_id != user.id:
            raise NotFound()
        db.session.delete(row)
