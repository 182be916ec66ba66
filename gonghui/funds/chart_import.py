"""A federation loads a revised chart of accounts from a spreadsheet (the 财会〔2021〕7号 revision, say): columns
科目编码, 科目名称 (a name, or the full path 职工活动支出-职工教育), 类别 (资产/负债/净资产/收入/支出) and, optionally,
启用年度. A sub-account named without its path hangs under the account whose code is the longest prefix of its
own. All or nothing: any problem and nothing is loaded; the problems come back by row, with an error report.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core import audit, tabular
from gonghui.core.identity import to_halfwidth
from gonghui.core.models import Outcome
from gonghui.core.spreadsheets import cell_text

from . import chart as charts
from .models import AccountKind, ChartVersion

KIND = "chart"
HEADERS = tabular.HeaderMap({
    "code": ("科目编码", "科目代码", "编码", "代码", "科目号"),
    "name": ("科目名称", "名称", "科目", "科目全称", "科目路径"),
    "kind": ("类别", "科目类别", "类型", "科目类型"),
    "year": ("启用年度", "启用年份", "生效年度", "年度"),
})
KIND_NAMES = tabular.label_table({
    AccountKind.ASSET: ("资产", "资产类"), AccountKind.LIABILITY: ("负债", "负债类"),
    AccountKind.NET_ASSET: ("净资产", "净资产类"), AccountKind.INCOME: ("收入", "收入类"),
    AccountKind.EXPENSE: ("支出", "支出类"),
})
# The services find these by code: a chart without them could not take a payment or close a year.
REQUIRED_CODES = (charts.CASH, charts.BANK, charts.SURPLUS)


@dataclass
class Problem:
    row: int
    column: str
    message: str


@dataclass
class ChartImport:
    filename: str
    header_row: int = 0
    header: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    cells: dict[int, list] = field(default_factory=dict)  # the rows as they were, for the error report
    chart: ChartVersion | None = None

    @property
    def ok(self) -> bool:
        return self.chart is not None

    def report(self) -> bytes:
        by_row, notes = tabular.problems_by_row(self.problems, self.header_row)
        rows = ((line, "；".join(texts), self.cells.get(line, [])) for line, texts in sorted(by_row.items()))
        return tabular.problems_xlsx(header=self.header, rows=rows, notes=notes)


def _year(value) -> int | None:
    text = cell_text(value).strip().removesuffix("年")
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() and 1990 <= int(text) <= 2100 else None


def _read(table, result: ChartImport) -> tuple[list[dict], set[int]]:
    head = table.head()
    header = tabular.find_header(head, HEADERS)
    if header is None:
        raise ValidationError(_("No header row was found in the first %(n)s rows: the columns are 科目编码, 科目名称 "
                                "and 类别.") % {"n": tabular.HEADER_SEARCH_ROWS})
    result.header_row = header + 1
    result.header = head[header]
    columns = {c.key: c.index for c in tabular.map_columns(head[header], HEADERS) if c.key}
    for key, label in (("name", "科目名称"), ("kind", "类别")):
        if key not in columns:
            result.problems.append(Problem(result.header_row, label, _("the column is missing")))
    if result.problems:
        return [], set()
    rows, years = [], set()
    for line, cells in table.rows(start=result.header_row + 1):
        if tabular.is_blank(cells):
            continue
        result.cells[line] = list(cells)

        def cell(key, cells=cells):
            i = columns.get(key)
            return cell_text(cells[i]).strip() if i is not None and i < len(cells) else ""

        code = to_halfwidth(cell("code"))
        if code.endswith(".0") and code[:-2].isdigit():
            code = code[:-2]
        name = "-".join(part.strip() for part in cell("name").replace("—", "-").replace("－", "-").split("-"))
        kind = KIND_NAMES.get(tabular.cell_token(cell("kind")), "")
        row = {"line": line, "code": code, "name": name, "kind": kind}
        if code and not code.isdigit():
            result.problems.append(Problem(line, "科目编码", _("%(value)s is not an account code (digits only)") % {
                "value": code}))
        if not name or "" in name.split("-"):
            result.problems.append(Problem(line, "科目名称", _("the account name is required")))
        elif len(name) > 200 or max(len(part) for part in name.split("-")) > 60 or len(code) > 24:
            result.problems.append(Problem(line, "科目名称", _("the account name or code is too long")))
        if not kind:
            result.problems.append(Problem(line, "类别", _("“%(value)s” is not a category: write 资产, 负债, 净资产, "
                                                          "收入 or 支出") % {"value": cell("kind")}))
        if "year" in columns and cell("year"):
            year = _year(cell("year"))
            if year is None:
                result.problems.append(Problem(line, "启用年度", _("“%(value)s” is not a year") % {
                    "value": cell("year")}))
            else:
                years.add(year)
        rows.append(row)
    return rows, years


def _paths(rows: list[dict], result: ChartImport) -> None:
    """Each row's full path, from its name (a path already) or from the account whose code prefixes its own."""
    by_code = {r["code"]: r for r in rows if r["code"]}
    seen_codes: dict[str, int] = {}
    for r in rows:
        if r["code"]:
            if r["code"] in seen_codes:
                result.problems.append(Problem(r["line"], "科目编码", _("the code %(code)s is also on row %(row)s") % {
                    "code": r["code"], "row": seen_codes[r["code"]]}))
            seen_codes.setdefault(r["code"], r["line"])

    def path_of(r, depth=0) -> str:
        if "path" in r:
            return r["path"]
        if "-" in r["name"] or depth > 10:
            r["path"] = r["name"]
            return r["path"]
        parent = None
        code = r["code"]
        for n in range(len(code) - 1, 0, -1):
            if code[:n] in by_code:
                parent = by_code[code[:n]]
                break
        r["path"] = f"{path_of(parent, depth + 1)}-{r['name']}" if parent else r["name"]
        return r["path"]

    for r in rows:
        path_of(r)
    by_path: dict[str, dict] = {}
    for r in rows:
        if r["path"] in by_path:
            result.problems.append(Problem(r["line"], "科目名称", _("the account %(path)s is also on row %(row)s") % {
                "path": r["path"], "row": by_path[r["path"]]["line"]}))
            continue
        by_path[r["path"]] = r
    for r in rows:
        if "-" not in r["path"]:
            continue
        parent = by_path.get(charts.parent_path(r["path"]))
        if parent is None:
            message = _("the parent account %(path)s is not in the file") % {"path": charts.parent_path(r["path"])}
            result.problems.append(Problem(r["line"], "科目名称", message))
        elif parent["kind"] and r["kind"] and parent["kind"] != r["kind"]:
            result.problems.append(Problem(r["line"], "类别", _("the category differs from the parent account "
                                                               "%(path)s") % {"path": parent["path"]}))
    missing = [c for c in REQUIRED_CODES if c not in by_code]
    if missing:
        result.problems.append(Problem(result.header_row, "科目编码", _("the chart needs the accounts %(codes)s "
                                                                       "(库存现金, 银行存款, 工会资金结余)") % {
            "codes": "、".join(missing)}))


def _chart_code(year: int, org) -> str:
    base = f"{year}-{org.code}"[:28]
    code, n = base, 1
    while ChartVersion.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def chart_import(*, actor, org, data: bytes, filename: str, name: str, effective_year: int | None = None
                 ) -> ChartImport:
    """Check the file and, when every row is right, load it as a new chart of ``org`` (a federation): in force for
    its subtree from ``effective_year`` (else the file's 启用年度)."""
    actor.require("funds.settings")
    actor.require_covers(org.path)
    result = ChartImport(filename=filename)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the chart (the document that issued it, say).")})
    table = tabular.open_table(data, filename, kind=KIND)
    rows, years = _read(table, result)
    if not rows and not result.problems:
        raise ValidationError(_("The file has no accounts below its header row."))
    if rows:
        _paths(rows, result)
    year = effective_year
    if year is None:
        if len(years) > 1:
            message = _("the rows give several years: %(years)s") % {"years": "、".join(str(y) for y in sorted(years))}
            result.problems.append(Problem(result.header_row, "启用年度", message))
        elif years:
            year = years.pop()
        elif not result.problems:
            raise ValidationError({"effective_year": _("Give the year the chart is in force from (or a 启用年度 "
                                                       "column).")})
    if result.problems:
        # Refused whole: recorded, with how many problems, so a federation's attempts show in the trail too.
        audit.record(actor=actor, action="funds.chart_load", object_type="funds.chart", scope_path=org.path,
                     outcome=Outcome.FAILED, details={"file": filename[:100], "problems": len(result.problems)})
        return result
    result.accounts = [(r["code"], r["path"], r["kind"]) for r in rows]
    with transaction.atomic():
        result.chart = charts.load_chart(code=_chart_code(year, org), name=name[:100], effective_year=year,
                                         accounts=result.accounts, loaded_by=org)
        audit.record(actor=actor, action="funds.chart_load", object_type="funds.chart", object_id=result.chart.pk,
                     scope_path=org.path, details={"chart": result.chart.name, "year": year,
                                                   "accounts": len(result.accounts), "file": filename[:100]})
    return result
