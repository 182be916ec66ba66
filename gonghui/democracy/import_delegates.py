"""Import a congress's delegates from a spreadsheet (gonghui.core.tabular, as the drive-unit and problem imports
do): the header found through synonyms, every row checked (name, election unit, the 是/否 flags, an ID number
when given: an active member of the unit), no delegate twice in the file or already in the congress; all or
nothing, with an xlsx error report to correct and import again. One audit event for the file."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core import audit, tabular
from gonghui.core.identity import to_halfwidth
from gonghui.core.spreadsheets import export_filename, parse_bool, write_xlsx, xlsx_response

from . import congress as services
from .models import Congress, Delegate

HEADERS = tabular.HeaderMap({
    "name": ("姓名", "代表姓名", "职工代表", "name"),
    "election_unit": ("选举单位", "代表团", "代表组", "单位", "部门", "election_unit"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number"),
    "front_line": ("一线职工", "一线", "一线工人", "front_line"),
    "woman": ("女职工", "女", "女代表", "woman"),
    "sex": ("性别", "sex"),
    "manager": ("管理人员", "中层以上管理人员", "领导人员", "manager"),
})
NAMES = {"name": "姓名", "election_unit": "选举单位", "id_number": "身份证号", "front_line": "一线职工",
         "woman": "女职工", "manager": "管理人员"}
MAX_ROWS = services.MAX_DELEGATES


@dataclass
class DelegateFile(tabular.ReadFile):
    pass


def _clean(value) -> str:
    return to_halfwidth(tabular.cell_text(value)).strip()


def template() -> bytes:
    return write_xlsx(list(NAMES.values()), [["张伟", "一车间", "", "是", "否", "否"]], sheet=_("Delegates"),
                      notes=[_("One row per delegate: the name and election unit; the ID number links the delegate "
                               "to the members registry (optional); 是 or 否 for the three flags.")])


def delegate_rows(*, actor, congress: Congress, data: bytes, filename: str) -> DelegateFile:
    """Read the file (nothing written): each row checked, every problem naming its row and column."""
    actor.require("democracy.write")
    actor.require_covers(congress.org_path)
    out = DelegateFile()
    read = out.read(data, filename, HEADERS, required=("name", "election_unit"),
                    missing=_("No header row with the columns 姓名 and 选举单位 was found."), max_rows=MAX_ROWS,
                    too_many=_("The file lists more than %(n)s delegates.") % {"n": MAX_ROWS})
    if read is None:
        return out
    columns, body = read
    taken = set(Delegate.objects.filter(congress=congress).values_list("election_unit", "name"))
    taken_people = set(Delegate.objects.filter(congress=congress, person__isnull=False)
                       .values_list("person_id", flat=True))
    seen, seen_people = {}, {}
    if len(taken) + len(body) > MAX_ROWS:
        out.notes = [_("A congress has at most %(n)s delegates.") % {"n": MAX_ROWS}]
        return out
    for line, cells in body:
        def cell(key, cells=cells):
            i = columns.get(key)
            return _clean(cells[i]) if i is not None and i < len(cells) else ""

        errors = []
        flags = {}
        for key in ("front_line", "woman", "manager"):
            try:
                flags[key] = parse_bool(cell(key))
            except ValidationError as exc:
                errors.append(f"{NAMES[key]}：" + "；".join(exc.messages))
        if "woman" in flags and not cell("woman") and cell("sex"):
            if cell("sex") not in ("男", "女"):
                errors.append("性别：" + _("“%(v)s” should be 男 or 女.") % {"v": cell("sex")[:10]})
            flags["woman"] = cell("sex") == "女"
        person = None
        if cell("id_number"):
            try:
                person = services.find_member(congress=congress, id_number=cell("id_number"))
            except ValidationError as exc:
                errors.append(f"{NAMES['id_number']}：" + "；".join(exc.messages))
        delegate = None
        try:
            delegate = services.clean_delegate(congress=congress, name=cell("name"),
                                               election_unit=cell("election_unit"), person=person,
                                               **{k: flags.get(k, False) for k in ("front_line", "woman", "manager")})
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                label = NAMES.get(field, "")
                errors += [f"{label}：{m}" if label else m for m in msgs]
        if delegate is not None:
            key = (delegate.election_unit, delegate.name)
            if key in taken:
                errors.append(_("%(name)s of %(unit)s is a delegate already.") % {"name": key[1], "unit": key[0]})
            elif key in seen:
                errors.append(_("This delegate is already on row %(n)s of the file.") % {"n": seen[key]})
            seen.setdefault(key, line)
        if person is not None:
            if person.pk in taken_people:
                errors.append(f"{NAMES['id_number']}：" + _("This member is a delegate already."))
            elif person.pk in seen_people:
                errors.append(f"{NAMES['id_number']}：" + _("This member is already on row %(n)s of the file.")
                              % {"n": seen_people[person.pk]})
            seen_people.setdefault(person.pk, line)
        if errors:
            out.row_problems[line] = errors
            out.cells[line] = cells
        else:
            out.rows.append((line, delegate))
    if not out.rows and not out.row_problems:
        out.notes = [_("The file lists no delegate.")]
    return out


@transaction.atomic
def delegate_import(*, actor, congress: Congress, data: bytes, filename: str) -> int:
    """All or nothing: every row becomes a delegate, or nothing is written."""
    congress = Congress.objects.select_for_update().get(pk=congress.pk)
    read = delegate_rows(actor=actor, congress=congress, data=data, filename=filename)
    if read.problems:
        raise ValidationError(read.problems)
    delegates = [d for _line, d in read.rows]
    for d in delegates:  # the file was checked against the congress's delegates under the lock above
        d.full_clean(validate_unique=False, validate_constraints=False)
    Delegate.objects.bulk_create(delegates, batch_size=500)
    audit.record(actor=actor, action="democracy.delegate_import", object_type="democracy.congress",
                 object_id=congress.pk, scope_path=congress.org_path,
                 details={"file": filename[:100], "rows": len(delegates)})
    return len(delegates)


def report_response(read: DelegateFile):
    return xlsx_response(read.report(), export_filename(_("Delegate import errors"), extra=""))
