"""Page-number pagination for the API with a bounded page number: an unbounded one overflows the database's
OFFSET (a 500 the API fuzzer found with ?page=126005236328752463872)."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination

MAX_PAGE = 10_000_000  # × at most a few hundred rows a page stays far inside a 64-bit OFFSET


class PageNumberPagination(NinjaPageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=1000)
