"""Oversight under /api/v1/oversight/: problems, measures, progress, closure, dispatch rounds, key tasks, visits and
figures. Scoped like the pages: an object outside the actor's subtree is a 404."""

from ninja import Router

from . import api_ledger, api_problems, api_tasks, api_visits

router = Router(tags=["oversight"])
# One api_<part>.py per part of the app.
router.add_router("", api_problems.router)
router.add_router("", api_ledger.router)
router.add_router("", api_tasks.router)
router.add_router("", api_visits.router)
