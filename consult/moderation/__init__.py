"""Moderation: house rules, the report queue, hide/restore with a rule and reason, appeals, blocks, public log."""
