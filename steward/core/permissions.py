"""The one place services check what an actor may do."""

from steward.core.actor import Actor, SystemActor
from steward.core.errors import PermissionDenied


def require(actor: Actor, permission: str) -> None:
    """Raises PermissionDenied unless the actor holds `permission`. System actors (the
    worker, commands run by an operator on the server) act with full authority."""
    if isinstance(actor, SystemActor):
        return
    if not actor.can(permission):
        raise PermissionDenied(
            f"Your role ({actor.get_role_display()}) may not do this ({permission})."
        )
