"""Spreadsheets in and out: python-calamine reads xlsx/xls/ods, the csv module reads csv, xlsxwriter writes."""

import datetime
import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EXCEL_EPOCH = datetime.date(1899, 12, 30)


def read_rows(data: bytes, filename: str = "") -> Iterator[list]:
    """Every row of the first sheet as a list of cell values (str, float, date, datetime or ""), read through
    ``tabular`` so that the same bounds (zip bombs, cell size, Chinese messages) apply to every reader."""
    from .tabular import open_table  # tabular builds on this module

    for _line, cells in open_table(data, filename, kind="default").rows():
        yield cells


def cell_text(value) -> str:
    """A cell as text: whole floats lose their '.0', dates become ISO strings."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_date(value) -> datetime.date | None:
    """A date from a cell: a date, an Excel serial number, 2021-03-05, 2021.3.5, 2021年3月5日, 20210305."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float | Decimal) and 1 <= float(value) < 2958466 and not (
            isinstance(value, int) and 19000101 <= value <= 21001231):
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    from .identity import to_halfwidth

    text = re.sub(r"\s+", "", to_halfwidth(cell_text(value)))
    if re.fullmatch(r"\d{1,5}", text) and int(text) < 2958466:
        return EXCEL_EPOCH + datetime.timedelta(days=int(text))
    for pattern in _DATE_PATTERNS:
        if m := pattern.match(text):
            try:
                return datetime.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                break
    raise ValidationError(_("'%(value)s' is not a date (write it as 2021-03-05)."), params={"value": text},
                          code="date")


def parse_bool(value) -> bool:
    text = cell_text(value).lower()
    if text in ("是", "有", "y", "yes", "true", "1", "√", "已登记", "已"):
        return True
    if text in ("", "否", "无", "n", "no", "false", "0", "×", "未登记", "未"):
        return False
    raise ValidationError(_("'%(value)s' should be 是 or 否."), params={"value": text}, code="bool")


def write_xlsx(headers: list[str], rows: Iterable[Iterable], *, sheet: str = "Sheet1",
               notes: list[str] | None = None) -> bytes:
    """An xlsx file: optional note lines, a bold header row, then rows. Streams rows (constant memory)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True,
                                     "default_date_format": "yyyy-mm-dd", "strings_to_numbers": False,
                                     "strings_to_formulas": False})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2"})
    r = 0
    for note in notes or []:
        ws.write_string(r, 0, note)
        r += 1
    for c, h in enumerate(headers):
        ws.write_string(r, c, str(h), bold)
        ws.set_column(c, c, max(10, min(40, len(str(h)) * 2 + 4)))
    for row in rows:
        r += 1
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.datetime | datetime.date):
                ws.write_datetime(r, c, value if isinstance(value, datetime.datetime) else
                                  datetime.datetime.combine(value, datetime.time()))
            elif isinstance(value, bool):
                ws.write_string(r, c, "是" if value else "否")
            elif isinstance(value, int | float | Decimal):
                ws.write_number(r, c, float(value))
            else:
                ws.write_string(r, c, str(value))
    book.close()
    return out.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_NOT_IN_SHEETS = re.compile(r"[\\/:*?\[\]]+")


def export_filename(title: str, *, unit=None, extra: str = "", on: datetime.date | None = None,
                    ext: str = "xlsx") -> str:
    """An export's file name, in the reader's language, with the unit and the day:
    会员名册-临江市第一中学工会-2026-12-04.xlsx. ``unit`` is an org (its name) or a text."""
    from django.utils import timezone

    on = on or timezone.localdate()
    parts = [str(title), getattr(unit, "name", unit) or "", extra, on.isoformat()]
    stem = "-".join(p for p in (_NOT_IN_NAMES.sub("_", str(part)).strip(" .") for part in parts) if p)
    return f"{stem}.{ext}"


def sheet_name(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of \\ / : * ? [ ]."""
    return (_NOT_IN_SHEETS.sub("_", str(title)).strip("'") or "Sheet1")[:31]


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def content_disposition(filename: str) -> str:
    """``attachment`` with the UTF-8 name as RFC 5987 ``filename*`` and a plain ASCII ``filename`` for old clients."""
    from urllib.parse import quote

    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    plain = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")
    if not re.search(r"[A-Za-z]", plain):
        plain = "export" + ("-" + plain if plain else "")
    plain += f".{ext}" if ext else ""
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def xlsx_response(content: bytes, filename: str):
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "no-store"
    return response
