"""Funds API under /api/v1/funds/: rules."""

from ninja import Router

router = Router(tags=["funds"])
