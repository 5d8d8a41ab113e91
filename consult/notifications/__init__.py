"""Notifications: following rounds, e-mail settings, the e-mail outbox and its sender, unsubscribe links."""
