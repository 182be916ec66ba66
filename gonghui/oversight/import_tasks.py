"""Import a key-task list (任务清单/责任清单, as a federation office keeps it in Excel): the same machinery as the
problem import — the header found among the first rows (a title row above it is skipped) and read through synonyms,
all or nothing, every refused row named with its row and column, an xlsx error report that can be corrected and
imported again. Each row is a task of a unit of the actor's subtree, led by one of that unit's departments, with an
owner among its users and, when a deadline is given, a milestone on that date. Dates may be typed with full-width
digits or as 2026年6月30日; a date that is not one is refused with its row and column."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, tabular
from gonghui.core.identity import to_halfwidth
from gonghui.core.models import Grant
from gonghui.core.spreadsheets import export_filename, parse_date, xlsx_response
from gonghui.orgs.models import Org

from . import keytasks
from .models import Department, TaskKind

HEADERS = tabular.HeaderMap({
    "title": ("重点任务", "任务", "工作任务", "任务名称", "重点工作", "重点工作任务", "工作事项", "title"),
    "content": ("具体内容", "工作内容", "主要内容", "工作措施", "具体措施", "目标要求", "content"),
    "kind": ("任务类别", "类别", "任务类型", "kind"),
    "org": ("单位代码", "责任单位", "单位", "org"),
    "lead": ("牵头部门", "责任部门", "牵头部室", "责任部室", "牵头单位", "lead"),
    "cooperating": ("配合部门", "协办部门", "配合部室", "cooperating"),
    "owner": ("责任人", "负责人", "具体责任人", "owner"),
    "milestone": ("阶段目标", "时间节点任务", "节点任务", "milestone"),
    "due_on": ("完成时限", "完成时间", "截止时间", "截止日期", "时间节点", "due_on"),
    "year": ("年度", "年份", "year"),
})
HEADER_HELP = [
    ("重点任务", "任务、工作任务、任务名称、重点工作"),
    ("具体内容", "工作内容、主要内容、工作措施、目标要求"),
    ("任务类别", "重点工作、办实事、重点民生事项；空着为重点工作"),
    ("单位代码", "责任单位（代码或全称；空着为本单位）"),
    ("牵头部门", "责任部门、牵头部室"),
    ("配合部门", "协办部门，多个用、分隔"),
    ("责任人", "负责人（账号或姓名）"),
    ("阶段目标", "节点任务"),
    ("完成时限", "完成时间、截止时间、时间节点"),
    ("年度", "年份；空着为本年"),
]
KINDS = {"重点工作": TaskKind.KEY, "重点任务": TaskKind.KEY, "办实事": TaskKind.PRACTICAL, "实事": TaskKind.PRACTICAL,
         "重点民生事项": TaskKind.LIVELIHOOD, "民生事项": TaskKind.LIVELIHOOD, **{k.value: k.value for k in TaskKind},
         **{str(k.label): k.value for k in TaskKind}}
MAX_ROWS = 2000


@dataclass
class TaskFile(tabular.ReadFile):
    rows: list[tuple[int, dict]] = field(default_factory=list)


def _clean(value) -> str:
    return to_halfwidth(tabular.cell_text(value)).strip()


class _Lookups:
    def __init__(self, actor):
        self.actor, self.orgs, self.depts, self.users = actor, {}, {}, {}

    def org(self, value: str):
        if value not in self.orgs:
            scope = Org.objects.filter(path__startswith=self.actor.org.path)
            self.orgs[value] = scope.filter(code=value.upper()).first() or scope.filter(name=value).first()
        return self.orgs[value]

    def dept(self, org, name: str):
        key = (org.pk, name)
        if key not in self.depts:
            self.depts[key] = Department.objects.filter(org=org, name=name, active=True).first()
        return self.depts[key]

    def user(self, org, name: str):
        key = (org.pk, name)
        if key not in self.users:
            ids = Grant.objects.filter(org__path__startswith=org.path, user__is_active=True).values("user_id")
            found = list(get_user_model().objects.filter(Q(username=name) | Q(display_name=name), pk__in=ids)[:2])
            self.users[key] = found[0] if len(found) == 1 else None
        return self.users[key]


def _keys(cells) -> set:
    return {k for k in map(HEADERS.key, cells) if k}


def _merge(top: list, below: list) -> list:
    """Two header rows of a merged header (责任分工 over 牵头部门 | 责任人): a known name below wins where the cell
    above names nothing known."""
    n = max(len(top), len(below))
    top, below = [*top, *[""] * (n - len(top))], [*below, *[""] * (n - len(below))]
    return [b if HEADERS.key(b) and not HEADERS.key(t) else t for t, b in zip(top, below, strict=True)]


def _header(rows: list[list]) -> tuple[int | None, list]:
    """The index of the last header row and the header cells; a header of two rows (merged cells above their
    sub-columns) is read as one."""
    h = tabular.find_header(rows, HEADERS, minimum=2)
    if h is None:
        return None, []
    best, cells = h, list(rows[h])
    for first in (h - 1, h):
        if 0 <= first and first + 1 < len(rows):
            merged = _merge(list(rows[first]), list(rows[first + 1]))
            if len(_keys(merged)) > len(_keys(cells)):
                best, cells = first + 1, merged
    return best, cells


def task_rows(*, actor, data: bytes, filename: str) -> TaskFile:
    """Read the file (nothing written): each row checked, every problem naming its row and column."""
    actor.require("oversight.write")
    out = TaskFile()
    try:
        rows = list(tabular.open_table(data, filename).rows())
    except tabular.TableFileError as exc:
        out.notes = list(exc.messages)
        return out
    header, out.header = _header([cells for _line, cells in rows])
    columns = {}
    if header is not None:
        cells = list(out.header)
        skip = 2 if cells and tabular.cell_text(cells[0]) == tabular.REPORT_ROW else 0  # a corrected error report
        columns = {c.key: c.index + skip for c in tabular.map_columns(cells[skip:], HEADERS) if c.key}
    if "title" not in columns or "lead" not in columns or "owner" not in columns:
        out.notes = [_("No header row with the columns 重点任务, 牵头部门 and 责任人 was found.")]
        return out
    look = _Lookups(actor)
    this_year = timezone.localdate().year
    for line, cells in rows[header + 1:]:
        if tabular.is_blank(cells):
            continue

        def cell(key, cells=cells):
            i = columns.get(key)
            return _clean(cells[i]) if i is not None and i < len(cells) else ""

        def raw(key, cells=cells):
            i = columns.get(key)
            return cells[i] if i is not None and i < len(cells) else None

        errors = []
        item = {"title": cell("title"), "content": cell("content")}
        if not item["title"]:
            errors.append(_("重点任务 is empty."))
        elif len(item["title"]) > 200:
            errors.append(_("重点任务 is longer than 200 characters."))
        if len(item["content"]) > 4000:
            errors.append(_("具体内容 is longer than 4000 characters."))
        kind = cell("kind")
        item["kind"] = KINDS.get(kind) if kind else TaskKind.KEY
        if item["kind"] is None:
            errors.append(_("任务类别 “%(v)s” is not 重点工作, 办实事 or 重点民生事项.") % {"v": kind[:40]})
        org = cell("org")
        item["org"] = look.org(org) if org else actor.org
        if item["org"] is None:
            errors.append(_("单位 “%(v)s” is not a unit in your scope.") % {"v": org[:40]})
        year = cell("year").removesuffix("年")
        item["year"] = this_year
        if year:
            if not (year.isdigit() and 2000 <= int(year) <= 2100):
                errors.append(_("年度 “%(v)s” is not a year.") % {"v": year[:20]})
            else:
                item["year"] = int(year)
        if item["org"] is not None:
            lead = cell("lead")
            item["lead"] = look.dept(item["org"], lead) if lead else None
            if item["lead"] is None:
                errors.append(_("牵头部门 “%(v)s” is not a department of %(org)s.") % {"v": lead[:40],
                                                                                    "org": item["org"].name})
            item["cooperating"] = []
            for name in filter(None, (n.strip() for n in cell("cooperating").replace("，", "、").replace(
                    ",", "、").split("、"))):
                dept = look.dept(item["org"], name)
                if dept is None:
                    errors.append(_("配合部门 “%(v)s” is not a department of %(org)s.") % {
                        "v": name[:40], "org": item["org"].name})
                else:
                    item["cooperating"].append(dept)
            owner = cell("owner")
            item["owner"] = look.user(item["org"], owner) if owner else None
            if item["owner"] is None:
                errors.append(_("责任人 “%(v)s” is not a user of %(org)s (give the account or the full name).")
                              % {"v": owner[:40], "org": item["org"].name})
        item["milestones"] = []
        due = raw("due_on")
        if due not in (None, ""):
            try:
                due_on = parse_date(to_halfwidth(due) if isinstance(due, str) else due)
            except ValidationError as exc:
                errors.append(_("完成时限: %(msg)s") % {"msg": "；".join(exc.messages)})
            else:
                if not 2000 <= due_on.year <= 2100:
                    errors.append(_("完成时限: %(msg)s") % {"msg": _("The date is out of range.")})
                else:
                    item["milestones"] = [((cell("milestone") or _("Task deadline"))[:200], due_on)]
        elif cell("milestone"):
            errors.append(_("阶段目标 is given without 完成时限."))
        if errors:
            out.row_problems[line] = errors
            out.cells[line] = cells
        else:
            out.rows.append((line, item))
    if len(out.rows) + len(out.row_problems) > MAX_ROWS:
        out.notes = [_("The file lists more than %(n)s tasks: split it.") % {"n": MAX_ROWS}]
    elif not out.rows and not out.row_problems:
        out.notes = [_("The file lists no task.")]
    return out


@transaction.atomic
def task_import(*, actor, data: bytes, filename: str) -> list:
    """All or nothing: every row becomes a key task of its unit, or nothing is written."""
    read = task_rows(actor=actor, data=data, filename=filename)
    if read.problems:
        raise ValidationError(read.problems)
    added = []
    for line, item in read.rows:
        try:
            added.append(keytasks.task_create(actor, org=item["org"], year=item["year"], kind=item["kind"],
                                              title=item["title"], content=item["content"], lead=item["lead"],
                                              owner=item["owner"], cooperating=item["cooperating"],
                                              milestones=item["milestones"]))
        except ValidationError as exc:
            raise ValidationError([_("Row %(n)s: %(msg)s") % {"n": line, "msg": m} for m in exc.messages]) from None
    audit.record(actor=actor, action="oversight.task_import", object_type="oversight.task",
                 scope_path=actor.org.path, details={"file": filename[:100], "added": len(added)})
    return added


def report_response(read: TaskFile):
    return xlsx_response(read.report(), export_filename(_("Key task import errors"), extra=""))

