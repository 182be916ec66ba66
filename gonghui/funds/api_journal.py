"""Funds API under /api/v1/funds/: journal."""

from ninja import Router

router = Router(tags=["funds"])
