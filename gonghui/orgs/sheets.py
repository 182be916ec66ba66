"""The organization tree as spreadsheets going out: the import's error report (the refused rows with their row
number and problems in front), the template to fill in, and the export in the import's own format."""

from django.utils.translation import gettext as _

from gonghui.core import audit, tabular
from gonghui.core.identity import mask
from gonghui.core.spreadsheets import cell_text, sheet_name, write_xlsx

from . import selectors
from .importer import (
    COLUMNS,
    KIND_LABELS,
    LEVEL_LABELS,
    OWNERSHIP_LABELS,
    REPORT_PROBLEMS,
    REPORT_ROW,
    ImportResult,
    _blank,
)
from .models import Kind, Level, Org, Ownership, Status

# --- the error report, the template and the export --------------------------------------------------------------------


def problems_report(result: ImportResult, original_rows: list[list]) -> bytes:
    """The file's rows below its header with 行号 and 问题 in front, so it can be fixed and imported again."""
    by_row, notes = tabular.problems_by_row(result.problems, result.header_row)
    header_index = max(result.header_row - 1, 0)
    header = original_rows[header_index] if original_rows else []
    data = ((i + 1, "；".join(by_row.get(i + 1, [])), *original_rows[i])
            for i in range(header_index + 1, len(original_rows)) if not _blank(original_rows[i]))
    if len(notes) > 5:
        notes = [*notes[:5], "…"]
    return write_xlsx([REPORT_ROW, REPORT_PROBLEMS, *(cell_text(h) for h in header)], data, notes=notes,
                      sheet="问题")


def template_xlsx(*, parent_code: str) -> bytes:
    """The header row and two example rows: a grassroots union under ``parent_code`` and a branch of it."""
    headers = [c.header for c in COLUMNS]
    first = {"code": "EX0001", "parent_code": parent_code, "name": "示例有限公司工会委员会",
             "level": LEVEL_LABELS[Level.GRASSROOTS][0], "kind": KIND_LABELS[Kind.ENTERPRISE][0],
             "ownership": OWNERSHIP_LABELS[Ownership.NON_PUBLIC][0], "uscc": "91330100MA2H00000L",
             "region_code": "330106", "employee_count": 120, "founded_on": "2021-03-05",
             "term_ends_on": "2026-03-04", "legal_person_registered": "是",
             "legal_person_registered_on": "2021-04-01", "legal_person_cert_no": "工法证字第330100001号",
             "has_women_committee": "是", "has_audit_committee": "是", "contact_name": "张三",
             "contact_phone": "13800000000"}
    second = {"code": "EX0002", "parent_code": "EX0001", "name": "示例有限公司工会生产车间分会",
              "level": LEVEL_LABELS[Level.BRANCH][0], "kind": KIND_LABELS[Kind.ENTERPRISE][0],
              "employee_count": 40, "legal_person_registered": "否", "has_women_committee": "否",
              "has_audit_committee": "否"}
    return write_xlsx(headers, ([row.get(c.key, "") for c in COLUMNS] for row in (first, second)))


def _label(table: dict, value: str) -> str:
    return table[value][0] if value in table else value


def export_rows(*, actor, reveal_phones: bool = False):
    """The active unions of the actor's tree in the import format, parents before children.

    The top of the scope has an empty parent code (its parent lies outside the scope). Phones are masked
    unless ``reveal_phones``; an import leaves a masked phone that matches the record unchanged.
    """
    codes: dict[str, str] = {}
    qs = selectors.org_scope(actor=actor).filter(status=Status.ACTIVE).order_by("path")
    for org in qs.iterator(chunk_size=2000):
        codes[org.path] = org.code
        phone = org.contact_phone if reveal_phones else mask(org.contact_phone, kind="phone")
        top = org.pk == actor.org.pk
        values = {
            "code": org.code, "parent_code": "" if top else codes.get(org.path[:-Org.steplen], ""),
            "level": _label(LEVEL_LABELS, org.level), "kind": _label(KIND_LABELS, org.kind),
            "ownership": _label(OWNERSHIP_LABELS, org.ownership) if org.ownership else "",
            "contact_phone": phone,
        }
        yield [values[c.key] if c.key in values else getattr(org, c.key) for c in COLUMNS]


def export_xlsx(*, actor, reveal_phones: bool = False) -> bytes:
    """The export as an xlsx file, recorded in the audit trail."""
    actor.require("export")
    if reveal_phones:
        actor.require("personal.reveal")
    content = write_xlsx([c.header for c in COLUMNS], export_rows(actor=actor, reveal_phones=reveal_phones),
                         sheet=sheet_name(_("Union list")))
    audit.record(actor=actor, action="export", object_type="org", object_id=actor.org.code,
                 scope_path=actor.org.path, details={"format": "org-import", "masked": not reveal_phones})
    return content
