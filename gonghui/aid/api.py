"""Assistance under /api/v1/aid/. Scoped like the pages: an object outside the actor's subtree is a 404."""

from ninja import Router

from . import api_archive, api_drives, api_mutual, api_programs, api_warmth

router = Router(tags=["aid"])
# One api_<part>.py per part of the app.
router.add_router("", api_archive.router)
router.add_router("", api_programs.router)
router.add_router("", api_warmth.router)
router.add_router("", api_mutual.router)
router.add_router("", api_drives.router)
