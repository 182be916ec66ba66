"""Grants in bulk under /api/v1/aid/: 送温暖 from the hardship archive and approve all, for a program. Scoped like the
pages (a program outside the actor's view is a 404); the same services, so the same checks."""

from ninja import Router, Schema

from . import selectors_programs, warmth
from .views_warmth import archive_unit

router = Router(tags=["aid"])


class FromArchiveOut(Schema):
    created: int
    already: int
    ineligible: int
    no_person: int
    no_person_households: list[int]


class ApproveAllIn(Schema):
    ids: list[int] | None = None


class ApproveAllOut(Schema):
    approved: int


@router.post("/programs/{pk}/from-archive", response=FromArchiveOut)
def from_archive(request, pk: int):
    actor = request.auth
    program = selectors_programs.program_get(actor=actor, pk=pk)
    r = warmth.grants_from_archive(actor=actor, program=program, org=archive_unit(actor, program))
    return {"created": r.created, "already": r.already, "ineligible": r.ineligible, "no_person": r.no_person,
            "no_person_households": r.missing}


@router.post("/programs/{pk}/approve-all", response=ApproveAllOut)
def approve_all(request, pk: int, payload: ApproveAllIn | None = None):
    actor = request.auth
    program = selectors_programs.program_get(actor=actor, pk=pk)
    ids = payload.ids if payload is not None else None
    return {"approved": warmth.grants_approve_many(actor=actor, program=program, ids=ids)}
