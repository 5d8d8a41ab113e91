"""JSON API v1 (see CONTRACT.md and docs/API.md)."""

from consult.api import (  # noqa: F401 - each registers its routes on bp
    complaints,
    deliberation,
    moderation,
    participation,
    public_lists,
    record,
    report_card,
    revisions,
    round_actions,
    summary,
    themes,
    witnesses,
)
from consult.api.views import api, bp

__all__ = ["api", "bp"]
