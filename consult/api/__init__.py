"""JSON API v1 (see CONTRACT.md and docs/API.md)."""

from consult.api import (  # noqa: F401 - each registers its routes on bp
    deliberation,
    moderation,
    participation,
    round_actions,
    summary,
    themes,
)
from consult.api import complaints  # noqa: F401, E402 - accountability (issue 13)
from consult.api import report_card  # noqa: F401, E402 - surveys and report cards (issue 13)
from consult.api.views import api, bp

__all__ = ["api", "bp"]
