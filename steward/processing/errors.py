"""Domain errors of lawful processing."""

from steward.core.errors import NotFound


class UnknownPurpose(NotFound):
    """A purpose key the register does not hold; nothing may be processed for it."""

    def __init__(self, key: str):
        super().__init__(f"Unknown purpose {key!r}")
        self.key = key
