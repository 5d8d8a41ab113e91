"""The test's mailbox: the account e-mails in the outbox, and following their links as a person would."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa

from consult.extensions import db
from consult.notifications.models import OutboxMessage

URL = re.compile(r"https?://\S+")


def mails(to_addr: str | None = None, kind: str | None = None) -> list[OutboxMessage]:
    """The queued e-mails (to `to_addr`, of `kind`), oldest first, as the requests committed them."""
    db.session.rollback()  # a fresh read: see what the requests committed
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if to_addr is not None:
        query = query.where(OutboxMessage.to_addr == to_addr)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def last_mail(to_addr: str, kind: str | None = None) -> OutboxMessage:
    found = mails(to_addr, kind)
    assert found, f"no {kind or ''} e-mail to {to_addr} in the outbox: {[(m.kind, m.to_addr) for m in mails()]}"
    return found[-1]


def link(message: OutboxMessage, path_prefix: str) -> str:
    """The site-relative address (path and query) of the link in `message` whose path starts with `path_prefix`."""
    for url in URL.findall(message.body_text):
        parts = urlsplit(url)
        if parts.path.startswith(path_prefix):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    raise AssertionError(f"no {path_prefix}… link in the e-mail:\n{message.body_text}")


def confirm_by_mail(client, email: str):
    """Open the newest confirmation e-mail to `email`, follow its link and press the button on the page."""
    path = link(last_mail(email, "account_confirm"), "/konfirmasi/")
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    response = client.post(path)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response


def register_confirmed(client, name: str, email: str, password: str):
    """Register through the web, confirm through the e-mail, log in: ready to take part."""
    response = client.post("/register", data={"name": name, "email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    confirm_by_mail(client, email)
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response
