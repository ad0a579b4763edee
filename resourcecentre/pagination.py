"""Where a paged list is, whatever pages it: the database or the search index."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    """Where a paged list is, for the pagination links."""

    number: int
    num_pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1
