"""/me: who the token acts as, so an integrator can check a token before using it."""

from django.http import HttpRequest
from ninja import Router

from steward.api.errors import errors
from steward.api.schemas import MeOut
from steward.staff.roles import PERMISSIONS

router = Router(tags=["me"])


@router.get("", response={200: MeOut, **errors()})
def me(request: HttpRequest):
    """The staff user the token acts as, their role and permissions, and the token."""
    user, token = request.auth, request.api_token
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "team": user.team_id,
        "permissions": sorted(PERMISSIONS.get(user.role, ())),
        "token_name": token.name,
        "token_prefix": token.prefix,
        "token_expires_at": token.expires_at,
    }
