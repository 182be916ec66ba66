"""Page-number pagination for the API with a bounded page number: an unbounded one overflows the database's
OFFSET (a 500 the API fuzzer found with ?page=126005236328752463872)."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination

MAX_PAGE = 10_000_000  # × at most a few hundred rows a page stays far inside a 64-bit OFFSET


class PageNumberPagination(NinjaPageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=1000)


# The screens' lists (gonghui.core.listing). A later issue holds every list to 10 million members, so a page never
# counts a whole large subtree: the total is either given by the caller from pre-aggregated counts, or counted up
# to COUNT_CAP rows only (one bounded index read). Past the cap the list pages by next/previous with an estimate.
PAGE_SIZES = (20, 50, 100)
COUNT_CAP = 1000


class ListPager:
    """One page of ``queryset``: ``total`` exact when cheap to know, else None (``more_than`` the cap)."""

    def __init__(self, queryset, *, number, per_page: int, total: int | None = None, estimate: int | None = None,
                 cap: int = COUNT_CAP):
        self.per_page = per_page
        if total is None:
            seen = queryset.order_by()[: cap + 1].count()  # SELECT COUNT(*) FROM (… LIMIT cap+1): bounded
            total = seen if seen <= cap else None
        self.total = total
        self.more_than = cap if total is None else None
        if total is None and estimate is None:
            estimate = planner_estimate(queryset)
        self.estimate = estimate if total is None and estimate and estimate > cap else None
        self.num_pages = max(1, -(-total // per_page)) if total is not None else None
        self.number = max(1, min(_as_int(number), self.num_pages or MAX_PAGE))
        offset = (self.number - 1) * per_page
        rows = list(queryset[offset: offset + per_page + 1])  # one row more tells whether a next page exists
        self.has_next = len(rows) > per_page
        self.object_list = rows[:per_page]
        self.has_previous = self.number > 1

    # The shape of Django's Page and Paginator, for templates written against them.
    @property
    def paginator(self):
        return self

    @property
    def count(self) -> int:
        return self.total if self.total is not None else (self.estimate or self.more_than)

    @property
    def exact(self) -> bool:
        return self.total is not None

    @property
    def several_pages(self) -> bool:
        return self.has_next or self.has_previous

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def page_range(self) -> list[int | None]:
        """Page numbers to show, None for a gap: 1 … 4 5 [6] 7 8 … 20. Only when the total is known."""
        if self.num_pages is None:
            return []
        shown = {1, self.num_pages, *range(self.number - 2, self.number + 3)}
        out: list[int | None] = []
        for n in sorted(p for p in shown if 1 <= p <= self.num_pages):
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out


def planner_estimate(queryset) -> int | None:
    """PostgreSQL's own row estimate for the query (EXPLAIN, nothing read), rounded for display; None elsewhere."""
    import json

    from django.db import connections

    if connections[queryset.db].vendor != "postgresql":
        return None
    try:
        plan = json.loads(queryset.order_by().explain(format="json"))
        rows = int(plan[0]["Plan"]["Plan Rows"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    digits = max(len(str(rows)) - 2, 0)  # two significant figures: it is an estimate, not a count
    return round(rows, -digits)


def _as_int(value) -> int:
    try:
        return int(str(value).strip()[:9])
    except (TypeError, ValueError):
        return 1
