"""Import an organization tree from a spreadsheet, all or nothing (the export in the same format: ``sheets``).

The columns are found by their Chinese headers (or a synonym, or the English field name) in a header row
among the first rows of the first sheet. Every row is checked before anything is written: first what only
a file can get wrong (cells, codes, parents, loops, scope, duplicates), then the services' own checks
(``normalize_fields``, ``check_level``, ``full_clean``, ``check_registration``). A dry run stops there and
takes no lock. Otherwise, in one transaction, changed unions go through ``org_update`` and new ones are
inserted in bulk with an "org.create" event each; one "org.import" event records the whole import.
"""

import copy
import re
from collections import Counter, deque
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import audit, tabular
from gonghui.core.identity import clean_token, mask, to_halfwidth
from gonghui.core.models import Outcome
from gonghui.core.spreadsheets import cell_text, parse_bool, parse_date

from . import selectors, services
from .models import FEDERATION_LEVELS, Kind, Level, Org, Ownership, Status

HEADER_SEARCH_ROWS = 10
KIND = "orgs"  # the import kind whose limits apply (settings.IMPORT_LIMITS)
PREVIEW_ROWS = 20
REPORT_ROW = "行号"
REPORT_PROBLEMS = "问题"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header written by the template, the export and the report
    synonyms: tuple[str, ...]
    type: str  # code, text, token, int, date, bool, level, kind, ownership, phone
    help: str


COLUMNS: tuple[Column, ...] = (
    Column("code", "编码", ("组织编码", "单位编码", "工会编码", "代码"), "code",
           gettext_lazy("The union's own code. An existing code updates that union; leave empty to have a "
                        "code assigned (the row then cannot be a parent in the same file).")),
    Column("parent_code", "上级编码", ("上级组织编码", "上级单位编码", "上级工会编码", "上级代码", "parent"),
           "code",
           gettext_lazy("Code of the union above: one in your unit's tree or another row of the file.")),
    Column("name", "名称", ("单位名称", "工会名称", "组织名称", "工会组织名称"), "text",
           gettext_lazy("Full name of the union.")),
    Column("level", "层级", ("级别", "组织层级", "工会层级"), "level",
           gettext_lazy("基层工会, 乡镇(街道)总工会, 县(区)总工会, 市总工会, 产业工会, 分会 or 小组.")),
    Column("kind", "类型", ("单位类型", "组织类型", "工会类型"), "kind",
           gettext_lazy("企业, 学校, 事业单位, 机关, 区域性 or 行业性; may be left empty for a federation.")),
    Column("ownership", "所有制", ("所有制类型", "经济类型"), "ownership",
           gettext_lazy("国有, 非公, 事业单位 or 机关.")),
    Column("uscc", "统一社会信用代码", ("信用代码", "社会信用代码", "统一信用代码"), "token",
           gettext_lazy("18 characters; the check character is verified.")),
    Column("region_code", "行政区划代码", ("区划代码",), "token", gettext_lazy("6 digits (GB/T 2260).")),
    Column("employee_count", "职工人数", ("职工数", "员工人数", "职工总数", "employees"), "int",
           gettext_lazy("A whole number.")),
    Column("founded_on", "成立日期", ("成立时间", "建会日期", "建会时间"), "date",
           gettext_lazy("A date: 2021-03-05, 2021.3.5, 2021年3月5日 or 20210305.")),
    Column("term_ends_on", "换届日期", ("届满日期", "届满时间", "换届时间"), "date",
           gettext_lazy("The date the current term ends.")),
    Column("legal_person_registered", "法人资格登记",
           ("法人资格", "法人登记", "是否法人登记", "是否取得法人资格"), "bool", gettext_lazy("是 or 否.")),
    Column("legal_person_registered_on", "登记日期", ("法人登记日期", "法人资格登记日期"), "date",
           gettext_lazy("Date of the legal-person registration.")),
    Column("legal_person_cert_no", "证书编号", ("法人证书编号", "法人资格证书编号"), "token",
           gettext_lazy("Number of the legal-person certificate.")),
    Column("has_women_committee", "女工委", ("女职工委员会", "是否建立女职工委员会"), "bool",
           gettext_lazy("是 or 否.")),
    Column("has_audit_committee", "经审委", ("经费审查委员会", "是否建立经审委"), "bool",
           gettext_lazy("是 or 否.")),
    Column("contact_name", "联系人", ("联系人姓名",), "text", gettext_lazy("Name of the contact person.")),
    Column("contact_phone", "联系电话", ("电话", "联系人电话", "手机"), "phone",
           gettext_lazy("A mobile number or a landline with area code.")),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = ("code", "parent_code", "name", "level")

# Labels people write, to enum values. The first label of each value is the one the export writes.
LEVEL_LABELS = {
    Level.NATIONAL: ("全国总工会", "中华全国总工会"),
    Level.PROVINCE: ("省总工会", "省级总工会", "省(区、市)总工会"),
    Level.CITY: ("市总工会", "地市总工会", "市级总工会", "市(州)总工会"),
    Level.COUNTY: ("县(区)总工会", "县总工会", "区总工会", "县级总工会", "县(市、区)总工会",
                   "县(市)总工会"),
    Level.TOWNSHIP: ("乡镇(街道)总工会", "乡镇总工会", "街道总工会", "乡镇工会", "街道工会",
                     "乡镇(街道)工会"),
    Level.INDUSTRY: ("产业工会", "行业工会联合会"),
    Level.GRASSROOTS: ("基层工会", "基层工会委员会", "基层"),
    Level.BRANCH: ("分会", "工会分会", "分工会"),
    Level.GROUP: ("小组", "工会小组"),
}
KIND_LABELS = {
    Kind.FEDERATION: ("总工会", "工会联合会", "联合会"),
    Kind.ENTERPRISE: ("企业", "公司"),
    Kind.SCHOOL: ("学校", "院校"),
    Kind.INSTITUTION: ("事业单位",),
    Kind.ORGAN: ("机关", "党政机关"),
    Kind.REGIONAL: ("区域性", "区域性工会", "区域性工会联合会"),
    Kind.INDUSTRY: ("行业性", "行业性工会", "行业性工会联合会"),
}
OWNERSHIP_LABELS = {
    Ownership.STATE: ("国有", "国有企业", "国企", "国有控股"),
    Ownership.NON_PUBLIC: ("非公", "非公有制", "民营", "私营", "外资"),
    Ownership.PUBLIC_INSTITUTION: ("事业单位",),
    Ownership.ORGAN: ("机关",),
}


_token = tabular.cell_token
_lookup = tabular.label_table


_LEVELS, _KINDS, _OWNERSHIPS = _lookup(LEVEL_LABELS), _lookup(KIND_LABELS), _lookup(OWNERSHIP_LABELS)


def _header_token(value) -> str:
    return _token(value).strip("*:")


_HEADERS = {_header_token(name): c.key for c in COLUMNS for name in (c.header, c.key, *c.synonyms)}


def column_for_header(value) -> str | None:
    """The column key a header cell names: exactly, or once a parenthesized note such as (人) is dropped."""
    token = _header_token(value)
    if not token:
        return None
    return _HEADERS.get(token) or _HEADERS.get(re.sub(r"\(.*?\)", "", token))


class ImportFileError(ValidationError):
    """The file as a whole cannot be used: not a spreadsheet, empty, or no header row."""


@dataclass
class Problem:
    row: int  # the row number the user sees in the spreadsheet (1-based)
    column: str  # the header as written in the file ("" for the row as a whole)
    value: str
    message: str


@dataclass
class MappedColumn:
    index: int
    header: str  # as written in the file
    key: str | None  # None: not a known column, ignored

    @property
    def meaning(self) -> str:
        return BY_KEY[self.key].header if self.key else ""


@dataclass
class ImportResult:
    filename: str
    header_row: int = 0  # 1-based; 0 when none was found
    columns: list[MappedColumn] = field(default_factory=list)
    total: int = 0
    # Rows that were, or in a dry run or a refused import would have been, created / updated / left alone.
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    committed: bool = False
    preview: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_rows(self) -> int:
        return len({p.row for p in self.problems})


@dataclass(eq=False)  # rows are compared by identity: two rows may hold the same cells
class _Row:
    line: int
    text: dict  # key -> the cell as text, as the user wrote it
    values: dict = field(default_factory=dict)  # key -> parsed value, for non-empty cells that parsed
    problems: list = field(default_factory=list)  # (column key or "", message)
    existing: Org | None = None
    parent_org: Org | None = None
    parent_row: "_Row | None" = None
    instance: Org | None = None  # the new union, built and checked before the write
    changed: list = field(default_factory=list)  # for an existing union: the fields the row changes
    parent_code_written: str = ""
    in_loop: bool = False

    def failed(self) -> set[str]:
        return {key for key, _m in self.problems}

    @property
    def code(self) -> str:
        return self.values.get("code", "")

    @property
    def parent_code(self) -> str:
        return self.values.get("parent_code", "")

    def add(self, key: str, message) -> None:
        if not any(k == key and m == str(message) for k, m in self.problems):
            self.problems.append((key, str(message)))

    def add_error(self, exc: ValidationError, default_key: str = "") -> None:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                key = {"parent": "parent_code", "new_parent": "parent_code"}.get(name, name)
                for message in errors:
                    self.add(key if key in BY_KEY else default_key, message)
        else:
            for message in exc.messages:
                self.add(default_key, message)


# --- reading -------------------------------------------------------------------------------------------


def read_sheet(data: bytes, filename: str = "") -> list[list]:
    """Every row of the first sheet; raises ImportFileError when the file is not a readable spreadsheet. The
    sheet is streamed through ``tabular`` (bomb checks first) and refused as soon as it passes the row limit
    (``IMPORT_LIMITS["orgs"]``), before the rest of it is read."""
    if not data:
        raise ImportFileError(_("The file is empty."), code="empty")
    try:
        return [list(cells) for _line, cells in tabular.open_table(data, filename, kind=KIND).rows()]
    except ValidationError as exc:
        raise ImportFileError(exc.messages[0], code=getattr(exc, "code", None) or "unreadable") from exc


def find_header(rows: list[list]) -> int:
    """The 0-based index of the header row: the one naming most known columns among the first rows."""
    best, best_count = -1, 1
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        count = len({key for key in map(column_for_header, row) if key})
        if count > best_count:
            best, best_count = i, count
    if best < 0:
        raise ImportFileError(
            _("No header row was found in the first %(n)s rows. The header row names the columns, such as "
              "%(columns)s.") % {"n": HEADER_SEARCH_ROWS,
                                 "columns": "、".join(BY_KEY[k].header for k in REQUIRED)},
            code="no_header")
    return best


def _blank(row: list) -> bool:
    return all(cell_text(c) == "" for c in row)


# --- the plan: everything a file can get wrong, checked before any write --------------------------------


def _clean_text(value) -> str:
    # Names keep their full-width brackets (that is how they are registered); only spaces are tidied.
    return re.sub(r"[\s\u3000]+", " ", cell_text(value)).strip()


def _labels(table: dict) -> str:
    return "、".join(names[0] for names in table.values())


def _parse(row: _Row, key: str, raw) -> None:
    col = BY_KEY[key]
    text = row.text[key]
    try:
        if col.type == "code":
            value = clean_token(text)
        elif col.type == "text":
            value = _clean_text(raw)
        elif col.type == "token":
            value = re.sub(r"\s+", "", to_halfwidth(text))
        elif col.type == "phone":
            value = to_halfwidth(text).strip()
        elif col.type == "int":
            value = _parse_int(raw)
        elif col.type == "date":
            value = parse_date(to_halfwidth(raw) if isinstance(raw, str) else raw)
        elif col.type == "bool":
            value = parse_bool(to_halfwidth(text))
        elif col.type == "level":
            value = _LEVELS.get(_token(text))
            if value is None:
                raise ValidationError(_("Unknown level “%(value)s”; write one of: %(labels)s.") % {
                    "value": text, "labels": _labels(LEVEL_LABELS)})
        elif col.type == "kind":
            value = _KINDS.get(_token(text))
            if value is None:
                raise ValidationError(_("Unknown kind “%(value)s”; write one of: %(labels)s.") % {
                    "value": text, "labels": _labels(KIND_LABELS)})
        else:
            value = _OWNERSHIPS.get(_token(text))
            if value is None:
                raise ValidationError(_("Unknown ownership “%(value)s”; write one of: %(labels)s.") % {
                    "value": text, "labels": _labels(OWNERSHIP_LABELS)})
    except ValidationError as exc:
        for message in exc.messages:
            row.add(key, message)
        return
    row.values[key] = value


def _parse_int(raw) -> int:
    if isinstance(raw, bool):
        raise ValidationError(_("“%(value)s” is not a whole number.") % {"value": raw})
    if isinstance(raw, int | float) and float(raw).is_integer() and raw >= 0:
        return int(raw)
    text = re.sub(r"[\s,，]", "", to_halfwidth(cell_text(raw))).removesuffix("人")
    if re.fullmatch(r"\d{1,9}", text):
        return int(text)
    raise ValidationError(_("“%(value)s” is not a whole number.") % {"value": cell_text(raw)})


def _in_batches(values, size: int = 900):
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _plan(*, actor, rows: list[list], header: int, columns: list[MappedColumn]) -> list[_Row]:
    mapped = [c for c in columns if c.key]
    plan: list[_Row] = []
    for i in range(header + 1, len(rows)):
        raw = rows[i]
        if _blank(raw):
            continue
        cells = {c.key: (raw[c.index] if c.index < len(raw) else "") for c in mapped}
        text = {k: to_halfwidth(cell_text(v)).strip() for k, v in cells.items()}
        row = _Row(line=i + 1, text=text)
        for key, value in cells.items():
            if row.text[key] != "":
                _parse(row, key, value)
        plan.append(row)

    # Codes: duplicates within the file, then which exist in scope, and which are taken elsewhere.
    lines_by_code: dict[str, list[int]] = {}
    for row in plan:
        if row.code:
            lines_by_code.setdefault(row.code, []).append(row.line)
    for row in plan:
        lines = lines_by_code.get(row.code, [])
        if len(lines) > 1:
            row.add("code", _("The code %(code)s appears more than once in the file (rows %(rows)s).") % {
                "code": row.code, "rows": ", ".join(map(str, lines))})
    wanted = {r.code for r in plan if r.code} | {r.parent_code for r in plan if r.parent_code}
    scope = selectors.org_scope(actor=actor)
    in_scope: dict[str, Org] = {}
    for batch in _in_batches(wanted):
        in_scope.update({o.code: o for o in scope.filter(code__in=batch)})
    elsewhere: set[str] = set()
    for batch in _in_batches({r.code for r in plan if r.code} - in_scope.keys()):
        # Only whether the code is taken: where it is used stays outside this actor's sight.
        elsewhere.update(Org.objects.filter(code__in=batch).values_list("code", flat=True))
    uscc_lines = Counter(r.values["uscc"] for r in plan if r.values.get("uscc"))

    creating = {r.code: r for r in plan
                if r.code and r.code not in in_scope and len(lines_by_code[r.code]) == 1}
    for row in plan:
        if row.code in in_scope:
            row.existing = in_scope[row.code]
        elif row.code in elsewhere:
            row.add("code", _("The code %(code)s is already used by another union; choose another code.")
                    % {"code": row.code})
        if row.values.get("uscc") and uscc_lines[row.values["uscc"]] > 1:
            row.add("uscc", _("The same credit code is given on several rows of the file."))
    parent_paths = {r.existing.path[:-Org.steplen] for r in plan if r.existing is not None and r.parent_code}
    parent_codes: dict[str, str] = {}
    for batch in _in_batches(parent_paths - {""}):
        parent_codes.update(Org.objects.filter(path__in=batch).values_list("path", "code"))
    for row in plan:
        if row.existing is not None:
            _plan_update(row, parent_codes=parent_codes)
        else:
            _plan_create(row, creating=creating, in_scope=in_scope, lines_by_code=lines_by_code)
    _find_loops([r for r in plan if r.parent_row is not None])
    _check_uscc_taken(plan)
    return plan


def _plan_update(row: _Row, *, parent_codes: dict[str, str]) -> None:
    org = row.existing
    if (level := row.values.get("level")) and level != org.level:
        row.add("level", _("The level of an existing union cannot be changed by an import (it is %(level)s).")
                % {"level": Level(org.level).label})
    # An empty parent code keeps the parent; any other must be the current one (moving is its own service).
    if row.parent_code and row.parent_code != parent_codes.get(org.path[:-Org.steplen]):
        row.add("parent_code", _("This union is under another parent now; to change its parent, use "
                                 "“Move” on its page."))
    if "contact_phone" in row.values and "*" in row.values["contact_phone"]:
        # A masked number from an export: unchanged when it masks the number on record.
        if mask(org.contact_phone, kind="phone") == row.values["contact_phone"]:
            del row.values["contact_phone"]
        else:
            row.add("contact_phone", _("The phone number is masked (it contains *); write the full number or "
                                       "leave the cell empty."))


def _plan_create(row: _Row, *, creating: dict, in_scope: dict, lines_by_code: dict) -> None:
    for key in ("name", "parent_code", "level"):
        if row.text.get(key, "") == "":
            row.add(key, _("%(column)s is required for a new union.") % {"column": BY_KEY[key].header})
    level = row.values.get("level")
    if "kind" not in row.text or row.text["kind"] == "":
        if level in FEDERATION_LEVELS:
            row.values["kind"] = Kind.INDUSTRY if level == Level.INDUSTRY else Kind.FEDERATION
        elif level:
            row.add("kind", _("%(column)s is required for a new union.") % {"column": BY_KEY["kind"].header})
    if "*" in row.values.get("contact_phone", ""):
        row.add("contact_phone", _("The phone number is masked (it contains *); write the full number or "
                                   "leave the cell empty."))
    parent_code = row.parent_code
    if not parent_code:
        return
    if parent_code == row.code:
        row.add("parent_code", _("A union cannot be its own parent."))
    elif parent_code in creating:
        row.parent_row = creating[parent_code]
    elif parent_code in in_scope:
        row.parent_org = in_scope[parent_code]
    elif len(lines_by_code.get(parent_code, [])) > 1:
        row.add("parent_code", _("The parent code %(code)s is used by several rows of the file.")
                % {"code": parent_code})
    else:
        row.add("parent_code", _("No union with the code %(code)s is in your unit's tree or in this file.")
                % {"code": parent_code})


def _find_loops(children: list[_Row]) -> None:
    """Flag the rows whose parent codes lead back to themselves (A under B, B under A)."""
    for start in children:
        seen: set[_Row] = set()
        row = start
        while row is not None and row not in seen:
            seen.add(row)
            row = row.parent_row
        if row is not None and row is start:
            start.in_loop = True
    loop = sorted(r.line for r in children if r.in_loop)
    for row in children:
        if row.in_loop:
            row.add("parent_code", _("The parent codes of rows %(rows)s lead back to each other in a loop.")
                    % {"rows": ", ".join(map(str, loop))})


def _check_uscc_taken(plan: list[_Row]) -> None:
    given = {r.values["uscc"]: r for r in plan if r.values.get("uscc")}
    taken: dict[str, int] = {}
    for batch in _in_batches(given):
        taken.update(Org.objects.filter(uscc__in=batch).values_list("uscc", "pk"))
    for uscc, pk in taken.items():
        row = given[uscc]
        if row.existing is None or row.existing.pk != pk:
            row.add("uscc", _("This credit code is already registered for another union."))


def _order(rows: list[_Row]) -> list[_Row]:
    """New unions, parents before children (Kahn's order, file order among equals); loops are left out."""
    children: dict[_Row, list[_Row]] = {}
    ready = deque()
    for r in rows:
        if r.parent_row is None:
            ready.append(r)
        else:
            children.setdefault(r.parent_row, []).append(r)
    ordered = []
    while ready:
        r = ready.popleft()
        ordered.append(r)
        ready.extend(children.pop(r, []))
    return ordered


# --- validation: every row through the services' own checks, nothing written ----------------------------

TREE_FIELDS = ["path", "depth", "numchild"]


def _fields(row: _Row) -> dict:
    return {k: v for k, v in row.values.items() if k in services.EDITABLE}


def _normalized(row: _Row) -> dict:
    """The row's editable values through the services' normalizers, field by field so each is reported."""
    failed = row.failed()
    out = {}
    for name, value in _fields(row).items():
        if name in failed:
            continue
        try:
            out.update(services.normalize_fields({name: value}))
        except ValidationError as exc:
            row.add_error(exc)
    return out


def _full_clean(row: _Row, org: Org) -> None:
    # Uniqueness (code, credit code) was checked for the whole file at once in the plan.
    exclude = [*TREE_FIELDS, *(k for k in row.failed() if k in BY_KEY)]
    try:
        org.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        services.check_registration(org)
    except ValidationError as exc:
        row.add_error(exc)


def _validate(plan: list[_Row]) -> None:
    for row in plan:
        if row.existing is not None:
            _validate_update(row)
        else:
            _validate_create(row)


def _validate_update(row: _Row) -> None:
    org = row.existing
    values = _normalized(row)
    row.changed = [name for name, value in values.items() if getattr(org, name) != value]
    if not row.changed:
        return
    if org.status != Status.ACTIVE:
        row.add("", _("A dissolved union cannot be edited."))
        return
    edited = copy.copy(org)
    for name in row.changed:
        setattr(edited, name, values[name])
    _full_clean(row, edited)


def _validate_create(row: _Row) -> None:
    level = row.values.get("level")
    parent_level = None
    if row.parent_org is not None:
        parent_level = row.parent_org.level
        if row.parent_org.status != Status.ACTIVE:
            row.add("parent_code", _("A dissolved union cannot receive new units."))
    elif row.parent_row is not None:
        parent_level = row.parent_row.values.get("level")
    if level and parent_level:
        try:
            services.check_level(level, Org(level=parent_level))
        except ValidationError as exc:
            row.add_error(exc)
    values = _normalized(row)
    values.setdefault("kind", Kind.ENTERPRISE)  # a missing kind is already reported
    org = Org(code=row.code or "-", level=level or Level.GRASSROOTS, **values)
    _full_clean(row, org)
    row.instance = org


# --- writing: updates through org_update, new unions inserted in bulk in the same transaction -------------


class _Refused(Exception):
    pass


def _write(*, actor, plan: list[_Row]) -> None:
    actor.require("org.write")
    for row in plan:
        if row.existing is not None and row.changed:
            try:
                services.org_update(actor=actor, org=row.existing, **_fields(row))
            except ValidationError as exc:
                row.add_error(exc)
    creates = _order([r for r in plan if r.existing is None])
    if creates:
        _insert(actor=actor, rows=creates)
    if any(r.problems for r in plan):
        raise _Refused


def _insert(*, actor, rows: list[_Row]) -> None:
    """Insert the new unions, parents first, numbering children after each parent's last child.

    One ``org_create`` per row costs ~7 ms (a dozen queries), too slow for thousands of rows while holding
    the audit chain's lock; here every check has been run on every row, so the rows go in with
    bulk_create, the parents' child counts are raised once, and each union gets its own "org.create" event.
    """
    parent_pks = {r.parent_org.pk for r in rows if r.parent_org is not None}
    parents: dict[int, Org] = {}
    for batch in _in_batches(parent_pks):
        parents.update({o.pk: o for o in Org.objects.select_for_update().filter(pk__in=batch)})
    last_step: dict[str, int] = {}
    for parent in parents.values():
        if parent.status != Status.ACTIVE:  # dissolved since the rows were checked
            for row in rows:
                if row.parent_org is not None and row.parent_org.pk == parent.pk:
                    row.add("parent_code", _("A dissolved union cannot receive new units."))
            continue
        last = Org.objects.get_last_child(parent)
        last_step[parent.path] = Org._str2int(last.path[-Org.steplen:]) if last else 0
    if any(r.problems for r in rows):
        return
    children = Counter(r.parent_row for r in rows if r.parent_row is not None)
    fresh: set[str] = set()
    for row in rows:
        parent = parents[row.parent_org.pk] if row.parent_org is not None else row.parent_row.instance
        step = last_step.get(parent.path, 0) + 1
        last_step[parent.path] = step
        org = row.instance
        org.code = row.code or _fresh_code(fresh)
        org.depth = parent.depth + 1
        org.path = Org._get_path(parent.path, org.depth, step)
        org.numchild = children[row]
        row.parent_code_written = parent.code
    Org.objects.bulk_create([r.instance for r in rows], batch_size=500)
    added = Counter(r.parent_org.pk for r in rows if r.parent_org is not None)
    for pk, n in added.items():
        Org.objects.filter(pk=pk).update(numchild=F("numchild") + n)
    for row in rows:
        org = row.instance
        audit.record(actor=actor, action="org.create", object_type="org", object_id=org.code,
                     scope_path=org.path,
                     details={**services.audit_details(org), "parent": row.parent_code_written})


def _fresh_code(taken: set[str]) -> str:
    while (code := services.new_code()) in taken:
        pass
    taken.add(code)
    return code


# --- the import ------------------------------------------------------------------------------------------


def org_import(*, actor, data: bytes, filename: str, dry_run: bool = False) -> ImportResult:
    """Import the file: every row is written, or (when any row is refused, or for a dry run) none.

    Every row is checked before anything is written; a dry run takes no lock and writes nothing.
    Raises ImportFileError when the file cannot be used at all, PermissionDenied without "org.import".
    """
    actor.require("org.import")
    rows = read_sheet(data, filename)
    header = find_header(rows)
    result = ImportResult(filename=filename, header_row=header + 1, dry_run=dry_run)
    result.columns = [MappedColumn(i, cell_text(h), column_for_header(h)) for i, h in enumerate(rows[header])
                      if cell_text(h) != ""]
    if not _check_columns(result):
        return result
    plan: list[_Row] = []
    if dry_run:
        plan = _check(actor=actor, rows=rows, header=header, result=result)
    else:
        try:
            # The checks run inside the writing transaction, so nothing changes between them and the write.
            with transaction.atomic():
                plan = _check(actor=actor, rows=rows, header=header, result=result)
                if result.problems:
                    raise _Refused
                _write(actor=actor, plan=plan)
                audit.record(actor=actor, action="org.import", object_type="org", object_id=actor.org.code,
                             scope_path=actor.org.path, details=_summary(result))
            result.committed = True
        except _Refused:
            _collect(result, plan)
        except IntegrityError:
            result.problems.append(Problem(result.header_row, "", "", _(
                "The tree was changed by someone else during the import; nothing was written. Try again.")))
        if result.problems:
            audit.record(actor=actor, action="org.import", object_type="org", object_id=actor.org.code,
                         scope_path=actor.org.path, outcome=Outcome.FAILED,
                         details={**_summary(result), "problems": len(result.problems)})
    result.preview = _preview(result, plan) if result.total else []
    return result


def _check(*, actor, rows: list[list], header: int, result: ImportResult) -> list[_Row]:
    plan = _plan(actor=actor, rows=rows, header=header, columns=result.columns)
    result.total = len(plan)
    if not plan:
        result.problems.append(Problem(result.header_row, "", "",
                                       _("There are no rows below the header row.")))
        return plan
    _validate(plan)
    _collect(result, plan)
    result.created = sum(1 for r in plan if r.existing is None)
    result.updated = sum(1 for r in plan if r.existing is not None and r.changed)
    result.unchanged = result.total - result.created - result.updated
    return plan


def _summary(result: ImportResult) -> dict:
    return {"file": result.filename[:200], "rows": result.total, "created": result.created,
            "updated": result.updated, "unchanged": result.unchanged}


def _check_columns(result: ImportResult) -> bool:
    found: dict[str, list[str]] = {}
    for col in result.columns:
        if col.key:
            found.setdefault(col.key, []).append(col.header)
    for key in REQUIRED:
        if key not in found:
            header = BY_KEY[key].header
            result.problems.append(Problem(result.header_row, header, "",
                                           _("The column %(column)s is missing.") % {"column": header}))
    for key, headers in found.items():
        if len(headers) > 1:
            result.problems.append(Problem(result.header_row, headers[1], "", _(
                "The columns %(columns)s all mean %(column)s; keep only one.") % {
                "columns": "、".join(headers), "column": BY_KEY[key].header}))
    return not result.problems


def _collect(result: ImportResult, plan: list[_Row]) -> None:
    """The rows' problems, in row order, as the result's problems (called again after the write phase)."""
    if not plan:
        return
    headers = {c.key: c.header for c in result.columns if c.key}
    position = {c.key: c.index for c in result.columns if c.key}
    result.problems = [
        Problem(row.line, headers.get(key, BY_KEY[key].header if key else ""), row.text.get(key, ""), message)
        for row in plan
        for key, message in sorted(row.problems, key=lambda p: position.get(p[0], -1))
    ]


def _preview(result: ImportResult, plan: list[_Row]) -> list[dict]:
    keys = [c.key for c in result.columns if c.key]
    lines = {p.row for p in result.problems}
    return [{"line": r.line, "cells": [r.text.get(k, "") for k in keys], "action": (
        "update" if r.existing is not None else "create"), "has_problems": r.line in lines}
        for r in plan[:PREVIEW_ROWS]]
