"""Funds API under /api/v1/funds/: income."""

from ninja import Router

router = Router(tags=["funds"])
