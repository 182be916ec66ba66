"""Grants in bulk under /api/v1/aid/: 送温暖 from the hardship archive and approve all, for a program. Scoped like the
pages (a program outside the actor's view is a 404); the same services, so the same checks. The grant import takes
a spreadsheet: all or nothing, a refused file answers 422 with every problem naming its row and column."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from . import import_grants, selectors_programs, warmth
from .views_warmth import IMPORT_MAX_BYTES, _too_big, archive_unit

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


@router.post("/programs/{pk}/import", response={200: dict, 201: dict, 422: dict})
def grant_import(request, pk: int, file: File[UploadedFile] = None, dry_run: Form[bool] = False):
    actor = request.auth
    if not actor.can("aid.write"):
        raise PermissionDenied("aid.write")
    program = selectors_programs.program_get(actor=actor, pk=pk)  # the scope first: another county's is a 404
    if file is None:
        return 422, {"problems": [_("Upload the spreadsheet (xlsx, xls, ods or csv).")]}
    if file.size > IMPORT_MAX_BYTES:
        return 422, {"problems": [_too_big()]}
    data = file.read()
    if dry_run:
        read = import_grants.grant_rows(actor=actor, program=program, data=data, filename=file.name or "")
        if read.problems:
            return 422, {"problems": read.problems}
        return 200, {"grants": len(read.rows), "total": str(read.total)}
    try:
        n = import_grants.grant_import(actor=actor, program=program, data=data, filename=file.name or "")
    except ValidationError as exc:
        return 422, {"problems": exc.messages}
    return 201, {"created": n}
