"""The API's view of bearer-token authentication (implemented in consult.accounts.bearer)."""

from consult.accounts.bearer import Unauthorized, api_user, token_required

__all__ = ["Unauthorized", "api_user", "token_required"]
