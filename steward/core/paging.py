"""A page of a list that is never counted whole when that would cost a second query as big
as the first: the page knows whether another follows, and its total only when known."""

from dataclasses import dataclass


@dataclass
class ListPage:
    """Rows of page `number`. `total` is None when unknown; a count that stopped at a limit
    sets `more_than` instead."""

    rows: list
    number: int
    per_page: int
    has_next: bool
    total: int | None
    more_than: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)

    @property
    def num_pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.per_page))
