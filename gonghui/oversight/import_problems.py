"""Import a problem list from a spreadsheet: all or nothing, every refused row named with its reasons, and an error
report (the refused rows as they were, each with its row number and problems) that can be corrected and imported
again. The header is found among the first rows and read through synonyms (问题/问题描述/来源/类别/单位代码 ...)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core import audit, tabular
from gonghui.core.spreadsheets import export_filename, xlsx_response
from gonghui.orgs.models import Org

from . import problems
from .models import Category, ConcernKind, Source

HEADERS = tabular.HeaderMap({
    "title": ("问题", "问题摘要", "问题名称", "查摆问题", "title"),
    "description": ("问题描述", "具体表现", "描述", "问题表现", "description"),
    "source": ("来源", "问题来源", "source"),
    "category": ("类别", "问题类别", "问题类型", "category"),
    "org": ("单位代码", "单位", "责任单位", "所在单位", "org"),
    "concerns": ("涉及对象", "涉及", "concerns"),
    "cadre": ("干部姓名", "涉及干部", "cadre"),
    "year": ("年度", "年份", "year"),
})
HEADER_HELP = [("问题", "问题摘要、问题名称、查摆问题"), ("问题描述", "具体表现、描述"), ("来源", "问题来源"),
               ("类别", "问题类别、问题类型"), ("单位代码", "单位、责任单位（代码或全称）"),
               ("涉及对象", "单位、领导班子、干部"), ("干部姓名", "涉及干部"), ("年度", "年份")]
CONCERNS = {"单位": ConcernKind.UNIT, "本单位": ConcernKind.UNIT, "领导班子": ConcernKind.LEADERSHIP,
            "班子": ConcernKind.LEADERSHIP, "领导": ConcernKind.LEADERSHIP, "干部": ConcernKind.CADRE,
            "个人": ConcernKind.CADRE, **{c.value: c.value for c in ConcernKind},
            **{str(c.label): c.value for c in ConcernKind}}
MAX_ROWS = 5000


@dataclass
class ProblemFile(tabular.ReadFile):
    rows: list[tuple[int, dict]] = field(default_factory=list)


def _org(actor, value: str, cache: dict):
    if value not in cache:
        scope = Org.objects.filter(path__startswith=actor.org.path)
        found = scope.filter(code=value.upper()).first() or scope.filter(name=value).first()
        cache[value] = found
    return cache[value]


def problem_rows(*, actor, data: bytes, filename: str) -> ProblemFile:
    """Read the file (nothing written): each row checked, every problem naming its row."""
    actor.require("oversight.write")
    out = ProblemFile()
    read = out.read(data, filename, HEADERS, required=("title", "source"),
                    missing=_("No header row with the columns 问题 and 来源 was found."))
    if read is None:
        return out
    columns, body = read
    sources = {s.name: s for s in Source.objects.filter(active=True)}
    categories = {c.name: c for c in Category.objects.filter(active=True)}
    orgs: dict = {}
    for line, cells in body:

        def cell(key, cells=cells):
            i = columns.get(key)
            return tabular.cell_text(cells[i]).strip() if i is not None and i < len(cells) else ""

        errors = []
        item = {"title": cell("title"), "description": cell("description"), "cadre_name": cell("cadre")}
        if not item["title"]:
            errors.append(_("问题 is empty."))
        elif len(item["title"]) > 200:
            errors.append(_("问题 is longer than 200 characters."))
        item["source"] = sources.get(cell("source"))
        if item["source"] is None:
            errors.append(_("来源 “%(v)s” is not on the list of sources.") % {"v": cell("source")})
        category = cell("category")
        item["category"] = categories.get(category) if category else categories.get("其他")
        if item["category"] is None:
            errors.append(_("类别 “%(v)s” is not on the list of categories.") % {"v": category})
        org = cell("org")
        item["org"] = _org(actor, org, orgs) if org else actor.org
        if item["org"] is None:
            errors.append(_("单位 “%(v)s” is not a unit in your scope.") % {"v": org})
        concerns = cell("concerns")
        item["concerns"] = CONCERNS.get(concerns) if concerns else (ConcernKind.CADRE if item["cadre_name"]
                                                                    else ConcernKind.UNIT)
        if item["concerns"] is None:
            errors.append(_("涉及对象 “%(v)s” is not 单位, 领导班子 or 干部.") % {"v": concerns})
        elif item["concerns"] == ConcernKind.CADRE and not item["cadre_name"]:
            errors.append(_("The problem concerns a cadre: give 干部姓名."))
        year = cell("year").removesuffix("年")
        item["year"] = None
        if year:
            if not (year.isdigit() and 2000 <= int(year) <= 2100):
                errors.append(_("年度 “%(v)s” is not a year.") % {"v": year})
            else:
                item["year"] = int(year)
        if errors:
            out.row_problems[line] = errors
            out.cells[line] = cells
        else:
            out.rows.append((line, item))
    if len(out.rows) + len(out.row_problems) > MAX_ROWS:
        out.notes = [_("The file lists more than %(n)s problems: split it.") % {"n": MAX_ROWS}]
    elif not out.rows and not out.row_problems:
        out.notes = [_("The file lists no problem.")]
    return out


@transaction.atomic
def problem_import(*, actor, data: bytes, filename: str) -> list:
    """All or nothing: every row becomes a draft problem of its unit, or nothing is written."""
    read = problem_rows(actor=actor, data=data, filename=filename)
    if read.problems:
        raise ValidationError(read.problems)
    added = []
    for line, item in read.rows:
        try:
            added.append(problems.problem_create(actor, org=item["org"], source=item["source"],
                                                 category=item["category"], title=item["title"],
                                                 description=item["description"], concerns=item["concerns"],
                                                 cadre_name=item["cadre_name"], year=item["year"]))
        except ValidationError as exc:
            raise ValidationError([_("Row %(n)s: %(msg)s") % {"n": line, "msg": m} for m in exc.messages]) from None
    audit.record(actor=actor, action="oversight.problem_import", object_type="oversight.problem",
                 scope_path=actor.org.path, details={"file": filename[:100], "added": len(added)})
    return added


def report_response(read: ProblemFile):
    return xlsx_response(read.report(), export_filename(_("Problem import errors"), extra=""))
