"""Enrol workers in a medical mutual aid plan from a spreadsheet, with the shared machinery of gonghui.core.tabular
(header found through synonyms, all or nothing, every refused row named with its row and column, an xlsx error
report that can be corrected and imported again).

Each row is a worker (ID number and name, matched in the registry by the ID number's blind index) and the unit
enrolling them (a union of the actor's subtree inside the plan's), optionally with the contribution paid (else the
plan's). A worker who is not an active member of the unit's subtree, named twice in the file or already enrolled in
the plan is an error. The enrolments are written in one ``bulk_create`` with one audit event."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, crypto, identity, tabular
from gonghui.core.identity import to_halfwidth
from gonghui.core.spreadsheets import export_filename, write_xlsx, xlsx_response
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.orgs.models import Org

from .models import MutualEnrolment, MutualPlan, PlanState

HEADERS = tabular.HeaderMap({
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number"),
    "name": ("姓名", "职工姓名", "会员姓名", "name"),
    "org": ("单位代码", "单位", "所在单位", "参加单位", "org"),
    "contribution": ("缴费金额", "互助金", "缴费", "金额", "contribution"),
})
NAMES = {"id_number": "身份证号", "name": "姓名", "org": "单位代码", "contribution": "缴费金额"}
COLUMNS = ["id_number", "name", "org", "contribution"]
MAX_ROWS = 20000


@dataclass
class EnrolFile(tabular.ReadFile):
    rows: list[tuple[int, dict]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((item["contribution"] for _line, item in self.rows), Decimal("0.00"))


def template(plan: MutualPlan) -> bytes:
    note = _("%(p)s: one row per worker. 单位代码: the code or full name of the enrolling unit. 缴费金额 may be left "
             "empty: the plan's contribution is taken.") % {"p": str(plan)}
    return write_xlsx([NAMES[c] for c in COLUMNS], [], sheet=_("Enrolments"), notes=[note])


def _said(column: str, message) -> str:
    return f"{NAMES.get(column, column)}：{message}"


def enrol_rows(*, actor, plan: MutualPlan, data: bytes, filename: str) -> EnrolFile:
    """Read the file (nothing written): each row checked, every problem naming its row and column."""
    actor.require("aid.write")
    out = EnrolFile()
    if plan.state != PlanState.OPEN:
        out.notes = [_("%(p)s is not open: workers are enrolled only while a plan is open.") % {"p": plan.name}]
        return out
    read = out.read(data, filename, HEADERS, required=("id_number", "name", "org"),
                    missing=_("No header row with the columns 身份证号, 姓名 and 单位代码 was found."),
                    max_rows=MAX_ROWS,
                    too_many=_("The file lists more than %(n)s workers: split it.") % {"n": MAX_ROWS})
    if read is None:
        return out
    columns, body = read
    scope = Org.objects.filter(path__startswith=actor.org.path).filter(path__startswith=plan.org_path)
    orgs: dict[str, Org | None] = {}
    parsed = []
    for line, cells in body:
        def cell(key, cells=cells):
            i = columns.get(key)
            return to_halfwidth(tabular.cell_text(cells[i])).strip() if i is not None and i < len(cells) else ""

        errors, item = [], {"line": line, "cells": cells}
        try:
            item["id_number"] = identity.parse_resident_id(cell("id_number")).number
        except ValidationError as exc:
            errors.append(_said("id_number", "；".join(exc.messages)))
        item["name"] = cell("name")
        if not item["name"]:
            errors.append(_said("name", _("The name is empty.")))
        unit = cell("org")
        if unit and unit not in orgs:
            orgs[unit] = scope.filter(code=unit.upper()).first() or scope.filter(name=unit).first()
        item["org"] = orgs.get(unit) if unit else None
        if item["org"] is None:
            errors.append(_said("org", _("“%(v)s” is not a union of your area covered by this plan.") % {
                "v": unit[:40] or "—"}))
        given = cell("contribution").replace(",", "")
        item["contribution"] = plan.contribution
        if given:
            try:
                item["contribution"] = Decimal(given).quantize(Decimal("0.01"))
                if not Decimal(0) <= item["contribution"] <= Decimal("100000"):
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors.append(_said("contribution", _("“%(v)s” is not an amount in yuan.") % {"v": given[:20]}))
        parsed.append((item, errors))
    # The registry, set-based: every person by the blind index of the ID numbers, their active memberships' paths.
    bidx = {item["id_number"]: crypto.blind_index(item["id_number"], kind="id_number")
            for item, _e in parsed if item.get("id_number")}
    people = {p.id_number_bidx: p for p in Person.objects.filter(id_number_bidx__in=set(bidx.values()))}
    paths: dict[int, list[str]] = {}
    for pid, path in Membership.objects.filter(person__in=people.values(), status=MembershipStatus.ACTIVE) \
            .values_list("person_id", "org_path"):
        paths.setdefault(pid, []).append(path)
    enrolled = set(MutualEnrolment.objects.filter(plan=plan, person__in=people.values())
                   .values_list("person_id", flat=True))
    seen: dict[int, int] = {}
    for item, errors in parsed:
        line, person = item["line"], None
        if item.get("id_number") and item["org"] is not None:
            person = people.get(bidx[item["id_number"]])
            if person is None or not any(p.startswith(item["org"].path) for p in paths.get(person.pk, ())):
                # Whether the number is in the registry elsewhere is not said: that is outside the actor's scope.
                person = None
                errors.append(_said("id_number", _("No active member of %(org)s has this ID number.") % {
                    "org": item["org"].name}))
            elif item["name"] and person.name != item["name"]:
                errors.append(_said("name", _("The name does not match the registry for this ID number.")))
        if person is not None:
            if person.pk in seen:
                errors.append(_said("id_number", _("This worker is already on row %(n)s of the file.") % {
                    "n": seen[person.pk]}))
            elif person.pk in enrolled:
                errors.append(_said("id_number", _("This worker is already enrolled in %(p)s.") % {"p": plan.name}))
            seen.setdefault(person.pk, line)
        if errors:
            out.row_problems[line] = errors
            out.cells[line] = item["cells"]
        else:
            item["person"] = person
            out.rows.append((line, item))
    if not out.rows and not out.row_problems:
        out.notes = [_("The file lists no worker.")]
    return out


@transaction.atomic
def enrol_import(*, actor, plan: MutualPlan, data: bytes, filename: str) -> int:
    """All or nothing: every row becomes an enrolment, or nothing is written. Returns how many."""
    read = enrol_rows(actor=actor, plan=plan, data=data, filename=filename)
    if read.problems:
        raise ValidationError(read.problems)
    for _line, item in read.rows:
        actor.require_covers(item["org"].path)
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    today = timezone.localdate()
    rows = [MutualEnrolment(plan=plan, year=plan.year, unit=item["org"], org_path=item["org"].path,
                            person=item["person"], enrolled_on=today, contribution=item["contribution"],
                            enrolled_by=user)
            for _line, item in read.rows]
    try:
        with transaction.atomic():
            MutualEnrolment.objects.bulk_create(rows, batch_size=1000)
    except IntegrityError:
        raise ValidationError(_("A worker of the file was enrolled in this plan meanwhile: check the file again.")) \
            from None
    audit.record(actor=actor, action="aid.mutual_enrol_import", object_type="aid.mutual_plan", object_id=plan.pk,
                 scope_path=plan.org_path, details={"file": filename[:100], "count": len(rows)})
    return len(rows)


def report_response(read: EnrolFile):
    return xlsx_response(read.report(), export_filename(_("Enrolment import errors"), extra=""))
