"""Annual audits (经审, 一年一审) and their findings tracked to rectification; the central purchasing supplier list
(集中采购) a federation keeps, added one by one or imported from a spreadsheet."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, tabular
from gonghui.core.identity import normalize_uscc
from gonghui.orgs.models import Level

from .models import Audit, AuditFinding, FindingState, Supplier

FEDERATION_LEVELS = (Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.INDUSTRY)
# Allowed steps of a finding: open → rectifying → rectified (open → rectified directly when done at once).
FINDING_STEPS = {FindingState.OPEN: (FindingState.RECTIFYING, FindingState.RECTIFIED),
                 FindingState.RECTIFYING: (FindingState.RECTIFIED,)}


def _user(actor):
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


@transaction.atomic
def audit_record(*, actor, org, year: int, auditor: str, started_on: datetime.date, ended_on: datetime.date,
                 vouchers_checked: int, conclusion: str) -> Audit:
    """Record the year's audit of a union (one per union and year)."""
    actor.require("funds.review")
    actor.require_covers(org.path)
    auditor, conclusion = (auditor or "").strip(), (conclusion or "").strip()
    if not auditor:
        raise ValidationError({"auditor": _("Name the auditing organization.")})
    if not conclusion:
        raise ValidationError({"conclusion": _("Write the audit's conclusion.")})
    if ended_on < started_on:
        raise ValidationError({"ended_on": _("The audit ends (%(end)s) before it starts (%(start)s).") % {
            "end": ended_on, "start": started_on}})
    if vouchers_checked is None or int(vouchers_checked) < 0:
        raise ValidationError({"vouchers_checked": _("The number of vouchers checked may not be negative.")})
    if started_on.year < year:
        raise ValidationError({"started_on": _("An audit of %(year)s starts after the year begins.") % {
            "year": year}})
    if Audit.objects.filter(org=org, year=year).exists():
        raise ValidationError({"year": _("%(org)s already has an audit for %(year)s.") % {"org": org.name,
                                                                                         "year": year}})
    record = Audit(org=org, org_path=org.path, year=year, auditor=auditor, started_on=started_on, ended_on=ended_on,
                   vouchers_checked=int(vouchers_checked), conclusion=conclusion, created_by=_user(actor))
    record.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        raise ValidationError({"year": _("%(org)s already has an audit for %(year)s.") % {
            "org": org.name, "year": year}}) from None
    audit.record(actor=actor, action="funds.audit_record", object_type="funds.audit", object_id=record.pk,
                 scope_path=org.path, details={"union": org.code, "year": year, "vouchers": record.vouchers_checked})
    return record


@transaction.atomic
def finding_add(*, actor, audit_: Audit, text: str, due_on: datetime.date) -> AuditFinding:
    actor.require("funds.review")
    actor.require_covers(audit_.org_path)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Describe the finding.")})
    if due_on is None or due_on < audit_.started_on:
        raise ValidationError({"due_on": _("The rectification date must come after the audit starts.")})
    finding = AuditFinding(audit=audit_, org_path=audit_.org_path, text=text, due_on=due_on)
    finding.full_clean()
    finding.save(force_insert=True)
    audit.record(actor=actor, action="funds.finding_add", object_type="funds.audit", object_id=audit_.pk,
                 scope_path=audit_.org_path, details={"finding": finding.pk, "due": due_on})
    return finding


@transaction.atomic
def finding_progress(*, actor, finding: AuditFinding, state: str, note: str = "",
                     on: datetime.date | None = None) -> AuditFinding:
    """Move a finding on: rectifying (the union is working on it) or rectified (with a note and the date)."""
    if not (actor.can("funds.write") or actor.can("funds.review")):
        actor.require("funds.write")
    actor.require_covers(finding.org_path)
    finding = AuditFinding.objects.select_for_update().get(pk=finding.pk)
    if state not in FINDING_STEPS.get(finding.state, ()):
        raise ValidationError({"state": _("A finding that is %(now)s cannot become %(then)s.") % {
            "now": finding.get_state_display(), "then": dict(FindingState.choices).get(state, state)}})
    note = (note or "").strip()
    fields = ["state"]
    if state == FindingState.RECTIFIED:
        if not note:
            raise ValidationError({"note": _("Say how the finding was rectified.")})
        on = on or timezone.localdate()
        if on > timezone.localdate():
            raise ValidationError({"on": _("The rectification date %(d)s is in the future.") % {"d": on}})
        finding.rectified_on = on
        fields.append("rectified_on")
    if note:
        finding.note = note
        fields.append("note")
    finding.state = state
    finding.full_clean()
    finding.save(update_fields=fields)
    audit.record(actor=actor, action="funds.finding_progress", object_type="funds.audit", object_id=finding.audit_id,
                 scope_path=finding.org_path, details={"finding": finding.pk, "state": state, "note": note[:200]})
    return finding


@transaction.atomic
def findings_to_problems(*, actor, audit_: Audit) -> list:
    """Each open finding of the audit (not yet rectified, not yet on the list) becomes a problem of the audited union
    (source 经费审查报告) with a link back to the finding."""
    from gonghui.oversight.problems import problem_create
    from gonghui.oversight.selectors_problems import problem_scope

    actor.require("oversight.write")
    actor.require_covers(audit_.org_path)
    findings = list(audit_.findings.exclude(state=FindingState.RECTIFIED).order_by("pk"))
    listed = set(problem_scope(actor=actor).filter(link_kind="funds.finding", link_id__in=[f.pk for f in findings])
                 .values_list("link_id", flat=True))
    out = []
    for f in findings:
        if f.pk in listed:
            continue
        out.append(problem_create(
            actor, org=audit_.org, source_key="funds_audit", category_key="funds_use", title=f.text[:200],
            description=f.text, link_kind="funds.finding", link_id=f.pk,
            link_label=_("Audit of %(year)s: %(org)s, finding %(n)s") % {"year": audit_.year, "org": audit_.org.name,
                                                                        "n": f.pk}))
    if not out:
        raise ValidationError(_("Every open finding of this audit is already on the problem list."))
    return out


# --- central purchasing suppliers ------------------------------------------------------------------------------

def _supplier_org(actor, org):
    actor.require("funds.settings")
    actor.require_covers(org.path)
    if org.level not in FEDERATION_LEVELS:
        raise ValidationError({"org": _("%(org)s is not a federation: the supplier list is kept by a federation.")
                               % {"org": org.name}})


def _clean_supplier(name: str, uscc: str) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("The supplier's name is required.")})
    if len(name) > 100:
        raise ValidationError({"name": _("The supplier's name is longer than 100 characters.")})
    code = normalize_uscc(uscc) if (uscc or "").strip() else ""
    return name, code


@transaction.atomic
def supplier_add(*, actor, org, name: str, uscc: str = "") -> Supplier:
    _supplier_org(actor, org)
    name, code = _clean_supplier(name, uscc)
    existing = Supplier.objects.select_for_update().filter(org=org, name=name).first()
    if existing is not None and existing.active:
        raise ValidationError({"name": _("%(name)s is already on the list.") % {"name": name}})
    if existing is not None:  # back on the list
        existing.active, existing.uscc = True, code or existing.uscc
        existing.full_clean()
        existing.save(update_fields=["active", "uscc"])
        supplier = existing
    else:
        supplier = Supplier(org=org, org_path=org.path, name=name, uscc=code)
        supplier.full_clean()
        supplier.save(force_insert=True)
    audit.record(actor=actor, action="funds.supplier_add", object_type="funds.supplier", object_id=supplier.pk,
                 scope_path=org.path, details={"name": name, "uscc": code})
    return supplier


@transaction.atomic
def supplier_deactivate(*, actor, supplier: Supplier) -> Supplier:
    actor.require("funds.settings")
    actor.require_covers(supplier.org_path)
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    if not supplier.active:
        raise ValidationError(_("%(name)s is already off the list.") % {"name": supplier.name})
    supplier.active = False
    supplier.save(update_fields=["active"])
    audit.record(actor=actor, action="funds.supplier_deactivate", object_type="funds.supplier",
                 object_id=supplier.pk, scope_path=supplier.org_path, details={"name": supplier.name})
    return supplier


SUPPLIER_HEADERS = tabular.HeaderMap({"name": ("供应商名称", "供应商", "单位名称", "名称", "name"),
                                      "uscc": ("统一社会信用代码", "信用代码", "社会信用代码", "uscc")})


@dataclass
class SupplierFile(tabular.ReadFile):
    """A supplier spreadsheet as read: the good rows (line, name, code), the problems of each refused row, the
    problems of the file as a whole, and what the error report needs (the header and the refused rows' cells)."""

    rows: list[tuple[int, str, str]] = field(default_factory=list)


def supplier_rows(data: bytes, filename: str) -> SupplierFile:
    """Read a supplier spreadsheet (nothing written): every problem names its row."""
    out = SupplierFile()
    try:
        table = tabular.open_table(data, filename)
        rows = list(table.rows())
    except tabular.TableFileError as exc:
        out.notes = list(exc.messages)
        return out
    header = tabular.find_header([cells for _line, cells in rows], SUPPLIER_HEADERS, minimum=1)
    columns = {}
    if header is not None:
        out.header = rows[header][1]
        columns = {c.key: c.index for c in tabular.map_columns(out.header, SUPPLIER_HEADERS) if c.key}
    if "name" not in columns:
        out.notes = [_("No header row with a 供应商名称 column was found.")]
        return out
    seen = set()
    for line, cells in rows[header + 1:]:
        if tabular.is_blank(cells):
            continue

        def cell(key, cells=cells):
            i = columns.get(key)
            return tabular.cell_text(cells[i]) if i is not None and i < len(cells) else ""

        try:
            name, code = _clean_supplier(cell("name"), cell("uscc"))
        except ValidationError as exc:
            out.row_problems[line] = list(exc.messages)
            out.cells[line] = cells
            continue
        if name in seen:
            out.row_problems[line] = [_("%(name)s appears twice in the file.") % {"name": name}]
            out.cells[line] = cells
            continue
        seen.add(name)
        out.rows.append((line, name, code))
    if not out.rows and not out.row_problems:
        out.notes = [_("The file lists no supplier.")]
    return out


@transaction.atomic
def supplier_import(*, actor, org, data: bytes, filename: str) -> dict:
    """Import suppliers from a spreadsheet (供应商名称, 统一社会信用代码): all or nothing. Names already on the list
    are left as they are; names off the list come back on."""
    _supplier_org(actor, org)
    read = supplier_rows(data, filename)
    if read.problems:
        raise ValidationError(read.problems)
    rows = read.rows
    existing = {s.name: s for s in Supplier.objects.select_for_update().filter(org=org)}
    added = restored = kept = 0
    for _line, name, code in rows:
        current = existing.get(name)
        if current is None:
            s = Supplier(org=org, org_path=org.path, name=name, uscc=code)
            s.full_clean(validate_constraints=False)
            s.save(force_insert=True)
            added += 1
        elif not current.active:
            current.active, current.uscc = True, code or current.uscc
            current.save(update_fields=["active", "uscc"])
            restored += 1
        else:
            kept += 1
    audit.record(actor=actor, action="funds.supplier_import", object_type="funds.supplier", scope_path=org.path,
                 details={"file": filename[:100], "added": added, "restored": restored, "kept": kept})
    return {"added": added, "restored": restored, "kept": kept}
