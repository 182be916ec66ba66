"""Import the units of a donation drive from a spreadsheet (gonghui.core.tabular, as import_grants does): the
header found through synonyms, every row checked (a unit of the actor's subtree inside the drive's, donors, amount,
receipt unique in the file and in the drive), all or nothing, an xlsx error report to correct and import again.
Each row sets the unit's lump exactly as the unit entry form does (``drives.record_unit``), under one lock of the
drive and one audit event."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core import audit, tabular
from gonghui.core.identity import to_halfwidth
from gonghui.core.spreadsheets import export_filename, write_xlsx, xlsx_response

from . import drives
from .models import Drive, DriveUnit

HEADERS = tabular.HeaderMap({
    "org": ("单位代码", "单位", "单位名称", "参加单位", "工会", "org"),
    "donors": ("捐款人数", "人数", "捐款职工", "donors"),
    "amount": ("金额", "捐款金额", "捐款额", "amount"),
    "receipt_no": ("收据号", "收据编号", "票据号", "receipt_no"),
})
NAMES = {"org": "单位代码", "donors": "捐款人数", "amount": "金额", "receipt_no": "收据号"}
MAX_ROWS = 5000


@dataclass
class UnitFile(tabular.ReadFile):
    pass


def _clean(value) -> str:
    return to_halfwidth(tabular.cell_text(value)).strip()


def template() -> bytes:
    return write_xlsx(list(NAMES.values()), [], sheet=_("Units"),
                      notes=[_("One row per unit: its code or full name, the donors, the amount and the receipt.")])


def unit_rows(*, actor, drive: Drive, data: bytes, filename: str) -> UnitFile:
    """Read the file (nothing written): each row checked, every problem naming its row and column."""
    actor.require("aid.write")
    out = UnitFile()
    read = out.read(data, filename, HEADERS, required=("org", "donors", "amount"),
                    missing=_("No header row with the columns 单位代码, 捐款人数 and 金额 was found."),
                    max_rows=MAX_ROWS,
                    too_many=_("The file lists more than %(n)s units: split it.") % {"n": MAX_ROWS})
    if read is None:
        return out
    columns, body = read
    scope = drives.entry_orgs(actor, drive)
    taken = dict(DriveUnit.objects.filter(drive=drive).exclude(receipt_no="").values_list("receipt_no", "org_id"))
    seen_org, seen_receipt = {}, {}
    for line, cells in body:
        def cell(key, cells=cells):
            i = columns.get(key)
            return _clean(cells[i]) if i is not None and i < len(cells) else ""

        errors = []
        unit = cell("org")
        org = (scope.filter(code=unit.upper()).first() or scope.filter(name=unit).first()) if unit else None
        if org is None:
            errors.append(f"{NAMES['org']}：" + _("“%(v)s” is not a union of your area under the organiser.") % {
                "v": unit[:40] or "—"})
        item = {"org": org, "receipt_no": cell("receipt_no")[:40]}
        for key, parse in (("donors", drives.count), ("amount", drives.money)):
            try:
                item[key] = parse(cell(key) or "0", key)
            except ValidationError as exc:
                errors.append(f"{NAMES[key]}：" + "；".join(exc.messages))
        if not errors and (item["donors"] == 0) != (item["amount"] == 0):
            errors.append(_("The donors and the amount go together: both or neither."))
        if org is not None:
            if org.pk in seen_org:
                errors.append(f"{NAMES['org']}：" + _("This unit is already on row %(n)s of the file.") % {
                    "n": seen_org[org.pk]})
            seen_org.setdefault(org.pk, line)
        receipt = item["receipt_no"]
        if receipt:
            if receipt in seen_receipt:
                errors.append(f"{NAMES['receipt_no']}：" + _("This receipt is already on row %(n)s of the file.")
                              % {"n": seen_receipt[receipt]})
            elif org is not None and taken.get(receipt, org.pk) != org.pk:
                errors.append(f"{NAMES['receipt_no']}：" + _("Receipt %(r)s is already recorded for another unit "
                                                             "of this drive.") % {"r": receipt})
            seen_receipt.setdefault(receipt, line)
        if errors:
            out.row_problems[line] = errors
            out.cells[line] = cells
        else:
            out.rows.append((line, item))
    if not out.rows and not out.row_problems:
        out.notes = [_("The file lists no unit.")]
    return out


@transaction.atomic
def unit_import(*, actor, drive: Drive, data: bytes, filename: str) -> int:
    """All or nothing: every row sets its unit's donors, amount and receipt, or nothing is written."""
    read = unit_rows(actor=actor, drive=drive, data=data, filename=filename)
    if read.problems:
        raise ValidationError(read.problems)
    drive = drives._lock_open(drive)
    for _line, item in read.rows:
        actor.require_covers(item["org"].path)
        drives.record_unit(actor=actor, drive=drive, org=item["org"], donors=item["donors"], amount=item["amount"],
                           receipt_no=item["receipt_no"], audited=False)
    audit.record(actor=actor, action="aid.drive_import", object_type="aid.drive", object_id=drive.pk,
                 scope_path=drive.org_path, details={"file": filename[:100], "rows": len(read.rows)})
    return len(read.rows)


def report_response(read: UnitFile):
    return xlsx_response(read.report(), export_filename(_("Drive import errors"), extra=""))
