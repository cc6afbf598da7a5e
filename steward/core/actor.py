"""Who performs an act. Every service takes `actor=`: a staff user, or a named system
actor (the worker, an import, a command) so the audit trail never has an anonymous write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from steward.staff.models import User


@dataclass(frozen=True)
class SystemActor:
    """A non-human actor, e.g. SystemActor("worker") or SystemActor("cli:import")."""

    name: str

    @property
    def label(self) -> str:
        return f"system:{self.name}"


Actor = Union["User", SystemActor]


def actor_label(actor: Actor) -> str:
    if isinstance(actor, SystemActor):
        return actor.label
    return actor.email


def actor_user(actor: Actor) -> User | None:
    return None if isinstance(actor, SystemActor) else actor
