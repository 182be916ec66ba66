"""Funds under /api/v1/funds/: books and vouchers, journal import, income and returns, budgets and decisions,
the rule engine's alerts. Scoped like the pages: a union outside the actor's subtree is a 404."""

from ninja import Router

from . import api_books, api_budget, api_income, api_journal, api_rules

router = Router(tags=["funds"])
for part in (api_books, api_journal, api_income, api_budget, api_rules):
    router.add_router("", part.router)
