"""The outbox sender: delivers queued e-mails over SMTP (or, without MAIL_SERVER, into <instance>/mail/).

A run claims due messages in one short write transaction (status "sending", attempts + 1, and a claim that
expires after CLAIM_SECONDS), sends them with no transaction open, then records each outcome. Two senders never
claim the same message: SQLite serialises the claims with BEGIN IMMEDIATE, PostgreSQL with FOR UPDATE SKIP
LOCKED. A sender that dies between sending and recording leaves a claimed message that is retried once its claim
expires: delivery is at least once, and that window is the only way to get a duplicate.

Failures are retried with growing delays (RETRY_DELAYS) up to MAIL_MAX_ATTEMPTS, then marked "failed" with the
last error, for the operator to see (`flask scheduler outbox`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from consult.extensions import db, write_transaction
from consult.notifications.models import OutboxMessage, OutboxStatus
from consult.timeutil import utcnow

CLAIM_SECONDS = 600
RETRY_DELAYS = (60, 300, 1800, 7200, 21600)  # after the 1st, 2nd, … failed attempt; the last one repeats


@dataclass(frozen=True)
class Claimed:
    id: int
    dedupe_key: str
    to_addr: str
    subject: str
    body_text: str
    unsubscribe_url: str | None
    attempts: int


def retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1])


def claim(now: dt.datetime, limit: int) -> list[Claimed]:
    """Take up to `limit` due messages for this sender (see the module docstring)."""
    with write_transaction():
        query = (
            sa.select(OutboxMessage)
            .where(
                OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        rows = list(db.session.scalars(query))
        claimed = []
        for row in rows:
            row.status = OutboxStatus.SENDING
            row.attempts += 1
            row.next_attempt_at = now + dt.timedelta(seconds=CLAIM_SECONDS)
            claimed.append(
                Claimed(
                    row.id, row.dedupe_key, row.to_addr, row.subject, row.body_text, row.unsubscribe_url, row.attempts
                )
            )
    return claimed


def build_message(item: Claimed) -> EmailMessage:
    config = current_app.config
    sender = config["MAIL_FROM"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = item.to_addr
    message["Subject"] = item.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"outbox{item.id}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    if item.unsubscribe_url:
        # RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click" to this address.
        message["List-Unsubscribe"] = f"<{item.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(item.body_text)
    return message


class FileTransport:
    """Development (no MAIL_SERVER): each mail becomes <instance>/mail/<id>.eml and is printed."""

    def __init__(self) -> None:
        self.folder = Path(current_app.instance_path) / "mail"

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, item: Claimed, message: EmailMessage) -> None:
        path = self.folder / f"{item.id:08d}.eml"
        path.write_bytes(bytes(message))
        click.echo(f"--- e-mail {item.id} to {item.to_addr} ({path})\nSubject: {item.subject}\n\n{item.body_text}")


class SmtpTransport:
    """One SMTP connection for the whole run (STARTTLS or TLS, login when MAIL_USERNAME is set)."""

    def __init__(self) -> None:
        self.config = current_app.config
        self.smtp: smtplib.SMTP | None = None
        self.broken: Exception | None = None  # the server could not be reached: the rest of the run waits too

    def _connect(self) -> smtplib.SMTP:
        if self.broken is not None:
            raise self.broken
        try:
            return self._open()
        except (smtplib.SMTPException, OSError) as exc:
            self.broken = exc
            raise

    def _open(self) -> smtplib.SMTP:
        config = self.config
        host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), float(config["MAIL_TIMEOUT"])
        if config["MAIL_USE_SSL"]:
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return smtp

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None

    def send(self, item: Claimed, message: EmailMessage) -> None:
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message, to_addrs=[item.to_addr])
        except smtplib.SMTPServerDisconnected:
            self.smtp = self._connect()  # the server hung up between two mails: once more on a new connection
            self.smtp.send_message(message, to_addrs=[item.to_addr])


def transport():
    return SmtpTransport() if current_app.config.get("MAIL_SERVER") else FileTransport()


def _record(item: Claimed, error: str | None, now: dt.datetime) -> str:
    """Store one outcome; returns the new status."""
    with write_transaction():
        row = db.session.get(OutboxMessage, item.id, populate_existing=True)
        if error is None:
            row.status, row.sent_at, row.last_error = OutboxStatus.SENT, now, None
        elif item.attempts >= int(current_app.config["MAIL_MAX_ATTEMPTS"]):
            row.status, row.last_error = OutboxStatus.FAILED, error[:1000]
        else:
            row.status, row.last_error = OutboxStatus.PENDING, error[:1000]
            row.next_attempt_at = now + retry_delay(item.attempts)
        return str(row.status)


def send_due(now: dt.datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """Deliver due e-mails; returns how many were sent, postponed for a retry, and given up."""
    now = now or utcnow()
    items = claim(now, limit or int(current_app.config["MAIL_BATCH"]))
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if not items:
        return counts
    with transport() as sender:
        for item in items:
            error = None
            try:
                sender.send(item, build_message(item))
            except (smtplib.SMTPException, OSError, ValueError) as exc:
                error = f"{type(exc).__name__}: {exc}"
                current_app.logger.warning("e-mail %s (%s) not sent: %s", item.id, item.dedupe_key, error)
            status = _record(item, error, max(now, utcnow()))
            counts[
                "sent" if status == OutboxStatus.SENT else "failed" if status == OutboxStatus.FAILED else "retry"
            ] += 1
    return counts
