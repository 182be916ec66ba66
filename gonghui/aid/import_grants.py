"""Import grants of a program from a spreadsheet (issue 14 §2), with the shared machinery of gonghui.core.tabular:
the header found among the first rows and read through synonyms, all or nothing, every refused row named with its
row and column, an xlsx error report that can be corrected and imported again, a template to fill in.

Each row is a member (ID number and name, checked against the registry) of a unit of the actor's subtree inside the
program's, with the facts the program's rules read (relationship, school, days in hospital), a bank account and
optionally an amount (else the rules' amount; never more). A row the rules refuse, a member named twice in the file
or already holding a grant of the program for its period is an error. The grants are written APPLIED in one
``bulk_create`` with one audit event; a second person approves them as any other."""

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.core import audit, crypto, identity, tabular
from gonghui.core.identity import to_halfwidth
from gonghui.core.spreadsheets import export_filename, write_xlsx, xlsx_response
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.orgs.models import Org

from . import rules as rules_mod
from .models import Grant, Program
from .models.programs import LIVE_STATES

HEADERS = tabular.HeaderMap({
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number"),
    "name": ("姓名", "会员姓名", "职工姓名", "name"),
    "org": ("单位代码", "单位", "所在单位", "所在工会", "org"),
    "relationship": ("与会员关系", "关系", "亲属关系", "relationship"),
    "admission_year": ("录取年份", "入学年份", "admission_year"),
    "school_level": ("学历层次", "层次", "就读层次", "school_level"),
    "school_type": ("学校性质", "办学性质", "school_type"),
    "school": ("录取学校", "学校", "school"),
    "hospital_days": ("住院天数", "hospital_days"),
    "bank_account": ("银行账号", "银行卡号", "账号", "bank_account"),
    "amount": ("金额", "补助金额", "慰问金额", "amount"),
})
NAMES = {"id_number": "身份证号", "name": "姓名", "org": "单位代码", "relationship": "与会员关系",
         "admission_year": "录取年份", "school_level": "学历层次", "school_type": "学校性质", "school": "录取学校",
         "hospital_days": "住院天数", "bank_account": "银行账号", "amount": "金额", "person": "身份证号",
         "category": "身份证号"}
FACTS = ("relationship", "admission_year", "school_level", "school_type", "school", "hospital_days")
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
_ACCOUNT = re.compile(r"\d{8,30}")


def columns_for(program: Program) -> list[str]:
    """The template's columns: who, where, the facts the program's rules read, the account, the amount."""
    r = program.rules or rules_mod.defaults_for(program.kind)
    amount = r.get("amount", {})
    facts = []
    if "relatives" in r:
        facts.append("relationship")
    if r.get("admitted_this_year"):
        facts += ["admission_year", "school"]
    if "levels" in r or "by_level" in amount:
        facts.append("school_level")
    if amount.get("school_type"):
        facts.append("school_type")
    if "min_days" in r or "by_days" in amount:
        facts.append("hospital_days")
    return ["id_number", "name", "org", *facts, "bank_account", "amount"]


def template(program: Program) -> bytes:
    cols = columns_for(program)
    note = _("%(p)s: one row per member. 单位代码: the code or full name of the member's union. 金额 may be left "
             "empty: the rules give it.") % {"p": str(program)}
    return write_xlsx([NAMES[c] for c in cols], [], sheet=_("Grants"), notes=[note])


@dataclass
class GrantFile(tabular.ReadFile):
    rows: list[tuple[int, dict]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((item["amount"] for _line, item in self.rows), Decimal("0.00"))


def _clean(value) -> str:
    return to_halfwidth(tabular.cell_text(value)).strip()


def _said(column: str, message) -> str:
    return f"{NAMES.get(column, column)}：{message}"


class _Lookups:
    def __init__(self, actor, program):
        self.actor, self.program, self.orgs = actor, program, {}

    def org(self, value: str):
        if value not in self.orgs:
            scope = Org.objects.filter(path__startswith=self.actor.org.path).filter(
                path__startswith=self.program.org_path)
            self.orgs[value] = scope.filter(code=value.upper()).first() or scope.filter(name=value).first()
        return self.orgs[value]


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").replace("，", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def grant_rows(*, actor, program: Program, data: bytes, filename: str) -> GrantFile:
    """Read the file (nothing written): each row checked, every problem naming its row and column."""
    actor.require("aid.write")
    out = GrantFile()
    read = out.read(data, filename, HEADERS, required=("id_number", "name", "org"),
                    missing=_("No header row with the columns 身份证号, 姓名 and 单位代码 was found."),
                    max_rows=MAX_ROWS, too_many=_("The file lists more than %(n)s grants: split it.") % {"n": MAX_ROWS})
    if read is None:
        return out
    columns, body = read
    look = _Lookups(actor, program)
    parsed = []
    for line, cells in body:
        def cell(key, cells=cells):
            i = columns.get(key)
            return _clean(cells[i]) if i is not None and i < len(cells) else ""

        errors, item = [], {"line": line, "cells": cells}
        try:
            item["id_number"] = identity.parse_resident_id(cell("id_number")).number
        except ValidationError as exc:
            errors.append(_said("id_number", "；".join(exc.messages)))
        item["name"] = cell("name")
        if not item["name"]:
            errors.append(_said("name", _("The name is empty.")))
        unit = cell("org")
        item["org"] = look.org(unit) if unit else None
        if item["org"] is None:
            errors.append(_said("org", _("“%(v)s” is not a union of your area paid by this program.") % {
                "v": unit[:40] or "—"}))
        item["facts"] = {k: cell(k)[:60] for k in FACTS if cell(k)}
        account = re.sub(r"[\s-]", "", cell("bank_account"))
        if account and not _ACCOUNT.fullmatch(account):
            errors.append(_said("bank_account", _("A bank account is 8 to 30 digits.")))
        item["bank_account"] = account
        given = cell("amount")
        item["given"] = _amount(given) if given else None
        if given and (item["given"] is None or not Decimal("0") < item["given"] <= rules_mod.MAX_AMOUNT):
            errors.append(_said("amount", _("“%(v)s” is not an amount in yuan.") % {"v": given[:20]}))
        parsed.append((item, errors))
    # The registry, set-based: every person by the blind index of the ID numbers, their active memberships.
    bidx = {item["id_number"]: crypto.blind_index(item["id_number"], kind="id_number")
            for item, _e in parsed if item.get("id_number")}
    people = {p.id_number_bidx: p for p in Person.objects.filter(id_number_bidx__in=set(bidx.values()))}
    active = set(Membership.objects.filter(person__in=people.values(), status=MembershipStatus.ACTIVE)
                 .values_list("person_id", "union_id"))
    live = set(Grant.objects.filter(program=program, period_key=program.period_key, state__in=LIVE_STATES,
                                    person__in=people.values()).values_list("person_id", flat=True))
    seen: dict[int, int] = {}
    for item, errors in parsed:
        line, person = item["line"], None
        if item.get("id_number"):
            person = people.get(bidx[item["id_number"]])
            if item["org"] is None:
                person = None
            elif person is None or (person.pk, item["org"].pk) not in active:
                # Whether the number is in the registry elsewhere is not said: that is outside the actor's scope.
                person = None
                errors.append(_said("id_number", _("No active member of %(org)s has this ID number.") % {
                    "org": item["org"].name}))
            elif item["name"] and person.name != item["name"]:
                errors.append(_said("name", _("The name does not match the registry for this ID number.")))
        if person is not None and program.one_per_person:
            if person.pk in seen:
                errors.append(_said("id_number", _("This member is already on row %(n)s of the file.") % {
                    "n": seen[person.pk]}))
            elif person.pk in live:
                errors.append(_said("id_number", _("This member already has a grant of this program for %(p)s.")
                                    % {"p": program.period_key}))
            seen.setdefault(person.pk, line)
        if person is not None and not errors:
            decision = rules_mod.evaluate(program, item["facts"], person)
            for key, message in decision.reasons.items():
                errors.append(_said(key, message))
            if not decision.reasons and not decision.ok:
                errors.append(_("The rules give no amount for this application."))
            if decision.ok:
                item["amount"] = decision.amount
                if item["given"] is not None:
                    if item["given"] > decision.amount:
                        errors.append(_said("amount", _("%(a)s is more than the rules give (%(r)s).") % {
                            "a": item["given"], "r": decision.amount}))
                    item["amount"] = item["given"]
        if errors:
            out.row_problems[line] = errors
            out.cells[line] = item["cells"]
        else:
            item["person"] = person
            out.rows.append((line, item))
    if not out.rows and not out.row_problems:
        out.notes = [_("The file lists no grant.")]
    return out


@transaction.atomic
def grant_import(*, actor, program: Program, data: bytes, filename: str) -> int:
    """All or nothing: every row becomes an APPLIED grant, or nothing is written. Returns how many."""
    read = grant_rows(actor=actor, program=program, data=data, filename=filename)
    if read.problems:
        raise ValidationError(read.problems)
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    grants = [Grant(program=program, kind=program.kind, period_key=program.period_key,
                    one_per_person=program.one_per_person, org=item["org"], org_path=item["org"].path,
                    person=item["person"], facts=json.dumps(item["facts"], ensure_ascii=False),
                    bank_account=item["bank_account"], amount=item["amount"], applied_by=user)
              for _line, item in read.rows]
    try:
        with transaction.atomic():
            Grant.objects.bulk_create(grants, batch_size=1000)
    except IntegrityError:
        raise ValidationError(_("A member of the file was given a grant of this program meanwhile: check the file "
                                "again.")) from None
    audit.record(actor=actor, action="aid.grant_import", object_type="aid.program", object_id=program.pk,
                 scope_path=program.org_path, details={"file": filename[:100], "rows": len(grants),
                                                       "total": str(read.total)})
    return len(grants)


def report_response(read: GrantFile):
    return xlsx_response(read.report(), export_filename(_("Grant import errors"), extra=""))
