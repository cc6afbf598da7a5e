"""The one table of a request's allowed status changes. `services._transition` is the only
code that changes a request's status, and it refuses anything this table does not list."""

from steward.core.errors import Conflict
from steward.rights.choices import RequestStatus as S

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    # A portal request waits for its link to be followed; staff verify one taken by phone
    # or letter themselves, or refuse it (Art. 12(2), 12(5)).
    S.RECEIVED: frozenset({S.IDENTITY_UNVERIFIED, S.VERIFIED, S.REFUSED}),
    S.IDENTITY_UNVERIFIED: frozenset({S.VERIFIED, S.REFUSED}),
    # Art. 12(6): after verification the DPO may still ask for more (back to unverified).
    S.VERIFIED: frozenset(
        {S.IDENTITY_UNVERIFIED, S.IN_ASSESSMENT, S.IN_PROGRESS, S.EXTENDED, S.REFUSED}
    ),
    S.IN_ASSESSMENT: frozenset(
        {S.IDENTITY_UNVERIFIED, S.IN_PROGRESS, S.EXTENDED, S.COMPLETED, S.REFUSED}
    ),
    S.IN_PROGRESS: frozenset({S.EXTENDED, S.COMPLETED, S.REFUSED}),
    # Art. 12(3): one extension; from it the work goes on, never into a second extension.
    S.EXTENDED: frozenset({S.IN_ASSESSMENT, S.IN_PROGRESS, S.COMPLETED, S.REFUSED}),
    S.COMPLETED: frozenset(),
    S.REFUSED: frozenset(),
}


def allowed_next(status: str) -> frozenset[str]:
    return ALLOWED_TRANSITIONS.get(status, frozenset())


def transition_check(current: str, target: str) -> None:
    """Raises Conflict unless `current` may become `target`."""
    if target not in allowed_next(current):
        raise Conflict(
            f"A request that is {S(current).label.lower()} cannot become {S(target).label.lower()}."
        )
