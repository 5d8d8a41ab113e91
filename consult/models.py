"""Every model module, imported once by create_app() so that the mapper and Alembic see every table."""

from consult import audit, idempotency  # noqa: F401
from consult.accountability import models as accountability  # noqa: F401
from consult.accounts import models as accounts  # noqa: F401
from consult.agencies import models as agencies  # noqa: F401
from consult.deliberation import models as deliberation  # noqa: F401
from consult.documents import models as documents  # noqa: F401
from consult.moderation import models as moderation  # noqa: F401
from consult.monitoring import models as monitoring  # noqa: F401
from consult.notifications import models as notifications  # noqa: F401
from consult.participation import models as participation  # noqa: F401
from consult.rounds import models as rounds  # noqa: F401
