"""Funds API under /api/v1/funds/: budget."""

from ninja import Router

router = Router(tags=["funds"])
