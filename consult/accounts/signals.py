"""Asking for e-mail about an account (consult.signals.account_mail; consult.notifications listens).

`account_mail` asks for an e-mail about the account itself — confirm the address, reset the password, "you
already have an account" — inside the caller's write transaction, so a change that rolls back sends nothing.
"""

from __future__ import annotations

from consult.accounts.models import User
from consult.signals import account_mail


def send_account_mail(
    kind: str,
    *,
    to_addr: str,
    user: User | None = None,
    links: dict[str, tuple[str, dict]] | None = None,
    **context,
) -> None:
    """Queue the e-mail templates/notifications/mail/<kind>.txt to `to_addr`.

    `user` is the account it is about (None for an address without an account); `links` maps a template variable
    to (endpoint, values), made into absolute links on the site's public address by the listener. It goes out
    whatever the person's notice settings (they asked for it) and carries no unsubscribe link. Raises
    RuntimeError when nothing listens: a confirmation or reset link silently not sent would lock people out.
    """
    receivers = account_mail.send(kind, to_addr=to_addr, user=user, links=links or {}, context=context)
    if not receivers:
        raise RuntimeError("no outbox listens for account e-mail (consult.notifications is not loaded)")
