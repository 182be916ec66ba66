"""Spreadsheet import of employers' payroll declarations (拨缴经费) or units' dues wage bases (会费), all or
nothing: every row is checked, then written in one transaction through the services; any problem writes nothing
and gives an error report (the rows as they were, each with its row number and problems in Chinese)."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core import audit, tabular
from gonghui.core.spreadsheets import cell_text
from gonghui.orgs.selectors import org_scope

from .. import books
from . import allocation_declare, dues_set

KINDS = ("allocation", "dues")
HEADERS = {
    "allocation": tabular.HeaderMap({
        "union": ("工会代码", "单位代码", "组织代码", "代码"), "year": ("年度", "年份", "年"),
        "month": ("月份", "月"), "quarter": ("季度", "季"),
        "amount": ("申报工资总额", "工资总额", "应发工资总额", "工资"),
    }),
    "dues": tabular.HeaderMap({
        "union": ("工会代码", "单位代码", "组织代码", "代码"), "year": ("年度", "年份", "年"),
        "month": ("月份", "月"), "amount": ("工资基数", "缴费基数", "会费基数", "工资总额"),
    }),
}
LABELS = {"union": "工会代码", "year": "年度", "month": "月份", "quarter": "季度", "amount": "金额"}
MAX_ROWS = 5000


@dataclass
class Problem:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    written: int = 0
    problems: list[Problem] = field(default_factory=list)
    report: bytes | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _message(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


def _int(text: str) -> int | None:
    text = tabular.cell_token(text).removesuffix(".0")
    return int(text) if text.isdigit() else None


def _rows(table, columns, header_line: int):
    for line, cells in table.rows(header_line + 1):
        if tabular.is_blank(cells):
            continue
        values = {c.key: cell_text(cells[c.index]) if c.index < len(cells) else "" for c in columns if c.key}
        yield line, cells, values


def _check(kind: str, line: int, values: dict, orgs: dict, problems: list[Problem]) -> dict | None:
    before = len(problems)
    code = values.get("union", "").strip().upper()
    union = orgs.get(code)
    if union is None:
        problems.append(Problem(line, LABELS["union"], _("No unit with the code %(code)s in your area.") % {
            "code": code or "—"}))
    year = _int(values.get("year", ""))
    if year is None or not 2000 <= year <= 2100:
        problems.append(Problem(line, LABELS["year"], _("The year is out of range: %(value)s") % {
            "value": values.get("year", "") or "—"}))
    month, quarter = _int(values.get("month", "")), _int(values.get("quarter", ""))
    if kind == "allocation" and quarter is not None and month is None:
        number, period_kind = quarter, "quarter"
        if not 1 <= quarter <= 4:
            problems.append(Problem(line, LABELS["quarter"], _("A quarter is 1 to 4: %(value)s") % {
                "value": quarter}))
    else:
        number, period_kind = month, "month"
        if month is None or not 1 <= month <= 12:
            problems.append(Problem(line, LABELS["month"], _("The month must be 1 to 12: %(value)s") % {
                "value": values.get("month", "") or "—"}))
    try:
        amount = books.money(values.get("amount", ""), label=LABELS["amount"])
        if amount < 0:
            problems.append(Problem(line, LABELS["amount"], _("The amount may not be negative: %(value)s") % {
                "value": amount}))
    except ValidationError as exc:
        problems.append(Problem(line, LABELS["amount"], _message(exc)))
        amount = None
    if len(problems) > before:
        return None
    return {"union": union, "year": year, "period_kind": period_kind, "number": number, "amount": amount}


def declarations_import(*, actor, data: bytes, filename: str, kind: str) -> ImportResult:
    """Import a spreadsheet of payroll declarations (``kind="allocation"``) or dues wage bases (``"dues"``)."""
    actor.require("funds.write")
    if kind not in KINDS:
        raise ValueError(kind)
    result = ImportResult()
    table = tabular.open_table(data, filename, kind="funds_income")
    head = table.head()
    header_at = tabular.find_header(head, HEADERS[kind], minimum=3)
    if header_at is None:
        raise tabular.TableFileError(_("No header row found: the file needs the columns 工会代码, 年度, 月份 (or "
                                       "季度) and the amount."), code="no_header")
    header = head[header_at]
    columns = tabular.map_columns(header, HEADERS[kind])
    header_line = header_at + 1
    rows = list(_rows(table, columns, header_line))
    if len(rows) > MAX_ROWS:
        raise tabular.TableFileError(_("The file has more than %(n)s rows.") % {"n": MAX_ROWS}, code="too_many")
    codes = {v.get("union", "").strip().upper() for _line, _cells, v in rows}
    orgs = {o.code: o for o in org_scope(actor=actor).filter(code__in=codes)}
    checked = [(line, _check(kind, line, values, orgs, result.problems)) for line, _cells, values in rows]
    if not result.problems:
        result.written = _write(actor, kind, checked, result.problems)
    if result.problems:
        result.written = 0
        by_row, notes = tabular.problems_by_row(result.problems, header_line)
        result.report = tabular.problems_xlsx(
            header=header, notes=notes,
            rows=((line, "；".join(by_row[line]), cells) for line, cells, _v in rows if line in by_row))
    return result


def _write(actor, kind: str, checked: list, problems: list[Problem]) -> int:
    """Every row through the service, in one transaction: the first refused row leaves nothing written."""
    written = 0
    with transaction.atomic():
        for line, row in checked:
            try:
                with transaction.atomic():
                    if kind == "allocation":
                        allocation_declare(actor=actor, union=row["union"], year=row["year"],
                                           period_kind=row["period_kind"], period_no=row["number"],
                                           payroll=row["amount"])
                    else:
                        dues_set(actor=actor, union=row["union"], year=row["year"], month=row["number"],
                                 wage_base=row["amount"])
                written += 1
            except ValidationError as exc:
                problems.append(Problem(line, "", _message(exc)))
        if problems:
            transaction.set_rollback(True)
            return 0
        audit.record(actor=actor, action="funds.income_import", object_type="funds.allocation"
                     if kind == "allocation" else "funds.dues",
                     details={"kind": kind, "rows": written, "date": datetime.date.today().isoformat()})
    return written
