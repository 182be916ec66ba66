"""Funds API under /api/v1/funds/: books."""

from ninja import Router

router = Router(tags=["funds"])
