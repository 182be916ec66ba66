"""Bounds on every spreadsheet read (``tabular``): a file is inspected before it is parsed, so that a zip bomb, a
sheet claiming to be small while holding a million rows, or one giant shared string is refused in a fraction of a
second, with a Chinese message, instead of filling the memory of a web worker.

The limits are settings read at call time (``IMPORT_*`` in config/settings/base.py), per import kind where it
matters (upload size, row count). The checks trust nothing the file says about itself except the sizes in its
zip directory, and those are enforced: Python's zipfile stops inflating an entry at its declared size and then
fails its CRC, so a lying entry is refused when it is read (``verify_zip`` reads every entry for the formats that
calamine parses in memory).
"""

import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MB = 1024 * 1024
RATIO_FLOOR = MB  # entries smaller than this are not judged by their ratio (a tiny styles.xml can deflate well)
MAX_ENTRIES = 10_000
MAX_ROW_BYTES = 16 * MB  # the XML of one worksheet row: far above 16,384 columns of ordinary cells

DEFAULT_KINDS = {
    "members.roster": {"max_upload_mb": 100, "max_rows": 0},
    "orgs": {"max_upload_mb": 5, "max_rows": 20_000},
    "default": {"max_upload_mb": 10, "max_rows": 100_000},
}


class TableFileError(ValidationError):
    """The file as a whole cannot be used: empty, not a spreadsheet, too large, or without a header row."""


@dataclass(frozen=True)
class Limits:
    max_upload: int  # bytes, as uploaded
    max_rows: int  # lines of the sheet (0: no limit but the format's)
    max_uncompressed: int  # bytes, the sum of a zip's entries
    max_ratio: int  # uncompressed / compressed, per entry of at least RATIO_FLOOR
    max_shared_strings: int  # bytes of xl/sharedStrings.xml, which is held in memory
    max_cell: int  # characters in one cell (Excel's own limit is 32,767)
    max_in_memory: int  # bytes (uncompressed) of a file that calamine reads whole: xls, ods, xlsb


def limits(kind: str = "") -> Limits:
    """The limits of an import kind (a key of settings.IMPORT_LIMITS, else its "default"); with no kind, the
    bomb checks without a row limit (tools such as the benchmarks read whole large files)."""
    kinds = {**DEFAULT_KINDS, **getattr(settings, "IMPORT_LIMITS", {})}
    per_kind = {**DEFAULT_KINDS["default"], **kinds.get("default", {}), **kinds.get(kind, {})}
    return Limits(
        max_upload=int(per_kind["max_upload_mb"] * MB), max_rows=int(per_kind.get("max_rows") or 0) if kind else 0,
        max_uncompressed=int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_MB", 1024) * MB),
        max_ratio=int(getattr(settings, "IMPORT_MAX_COMPRESSION_RATIO", 100)),
        max_shared_strings=int(getattr(settings, "IMPORT_MAX_SHARED_STRINGS_MB", 256) * MB),
        max_cell=int(getattr(settings, "IMPORT_MAX_CELL_CHARS", 32_767)),
        max_in_memory=int(getattr(settings, "IMPORT_MAX_IN_MEMORY_MB", 64) * MB))


def not_spreadsheet() -> TableFileError:
    # The library's own words ("Cannot detect file format", a CRC error) never reach the user.
    return TableFileError(_("The file is not a spreadsheet that can be read (xlsx, xls, ods or csv), or it is "
                            "damaged. Open it in Excel or WPS and save it again as xlsx."), code="unreadable")


def suspicious() -> TableFileError:
    return TableFileError(_("The file was refused: its content expands to far more than its size (a compressed "
                            "\"bomb\" or a damaged file). Open it in Excel or WPS, save it again as xlsx and "
                            "upload it again."), code="suspicious")


def too_large_uncompressed(limit: int) -> TableFileError:
    return TableFileError(_("The spreadsheet holds more than %(mb)s MB of data once opened; split it into several "
                            "files.") % {"mb": limit // MB}, code="too_large")


def too_many_rows(limit: int) -> TableFileError:
    return TableFileError(_("The file has more than %(n)s rows; split it into several files.") % {"n": limit},
                          code="too_many")


def cell_too_long(limit: int) -> TableFileError:
    return TableFileError(_("A cell holds more than %(n)s characters; no field of an import is that long. Check "
                          "the file.") % {"n": limit}, code="cell_too_long")


def megabytes(n: int) -> int | float:
    return n // MB if n % MB == 0 else round(n / MB, 1)


def too_large_upload(limit: int) -> ValidationError:
    return ValidationError({"file": _("The file is larger than %(mb)s MB; split it into several files.")
                            % {"mb": megabytes(limit)}}, code="too_large")


def check_zip(z: zipfile.ZipFile, lim: Limits, *, whole: bool) -> dict[str, zipfile.ZipInfo]:
    """Refuse a zip whose directory announces a bomb: too many entries, too much data once inflated, an entry
    inflating far more than any spreadsheet does, or a shared-strings part too large to hold. ``whole``: the
    file will be read whole into memory (by calamine), so its total must stay under ``max_in_memory``."""
    infos = z.infolist()
    if len(infos) > MAX_ENTRIES:
        raise suspicious()
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        if size >= RATIO_FLOOR and size > lim.max_ratio * max(info.compress_size, 1):
            raise suspicious()
        if info.filename.lower().endswith("sharedstrings.xml") and size > lim.max_shared_strings:
            raise suspicious() if size > lim.max_ratio * max(info.compress_size, 1) else \
                too_large_uncompressed(lim.max_shared_strings)
    if total > lim.max_uncompressed:
        raise too_large_uncompressed(lim.max_uncompressed)
    if whole and total > lim.max_in_memory:
        raise too_large_uncompressed(lim.max_in_memory)
    return {info.filename: info for info in infos}


def verify_zip(z: zipfile.ZipFile) -> None:
    """Inflate every entry (discarding it): each stops at its declared size and is checked against its CRC, so
    the sizes ``check_zip`` judged are the true ones before calamine reads the file its own way."""
    for info in z.infolist():
        with z.open(info) as f:
            while f.read(MB):
                pass


# calamine stores a sheet as one dense grid from its first to its last cell holding a value: a 780-byte ods whose
# one cell is repeated over 100,000 rows and 1,000 columns asks it for a gigabyte and aborts the process. Before
# calamine reads a zip, the grid the file would make is measured from its XML.
MAX_GRID_CELLS = 4_000_000  # about 130 MB in calamine, far above any roster calamine is asked to read
# Any namespace prefix (a file may bind the namespaces to other prefixes than the usual ones: the parser goes by
# namespace, so the measure must not go by prefix).
_P = rb"(?:[\w.-]+:)?"
_ODS_TOKEN = re.compile(rb"<" + _P + rb"table-row(?=[\s/>])([^>]*?)(/?)>|</" + _P + rb"table-row>|<" + _P
                        + rb"table(?=[\s>])[^>]*>|<" + _P + rb"(?:covered-)?table-cell(?=[\s/>])([^>]*?)(/?)>")
_ROWS_REPEATED = re.compile(rb'number-rows-repeated\s*=\s*["\'](\d+)')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated\s*=\s*["\'](\d+)')
_XLSX_TOKEN = re.compile(rb"<" + _P + rb"(row|c)(?=[\s/>])([^>]*)>")
_XLSX_ROW_REF = re.compile(rb'(?:^|\s)r\s*=\s*["\'](\d+)')
_XLSX_CELL_REF = re.compile(rb'(?:^|\s)r\s*=\s*["\']([A-Za-z]+)(\d+)')


def check_grid(z: zipfile.ZipFile) -> None:
    """Refuse a zip that calamine would expand into too large a grid (ods: repeated rows and cells; an xlsx
    that the streaming reader leaves to calamine: its cell references). Other zips are not spreadsheets."""
    names = set(z.namelist())
    if "content.xml" in names:
        rows, cols = _ods_grid(z.read("content.xml"))
    elif "xl/workbook.xml" in names:
        rows = cols = 0
        for name in names:
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                r, c = _xlsx_grid(z.read(name))
                rows, cols = max(rows, r), max(cols, c)
    else:
        raise not_spreadsheet()  # xlsb and other zips: not an upload format
    if rows * cols > MAX_GRID_CELLS:
        raise suspicious()


def _ods_grid(xml: bytes) -> tuple[int, int]:
    """(last row, last column) holding a value, counting repetitions, over the tables of an ods content.xml."""
    last_row = last_col = row = col = 0
    repeat, valued = 1, False
    for m in _ODS_TOKEN.finditer(xml):
        token = m[0]
        if token.startswith(b"</"):  # the end of a row
            row += repeat
            if valued:
                last_row = max(last_row, row)
            repeat, col, valued = 1, 0, False
        elif _local(token) == b"table-row":
            found = _ROWS_REPEATED.search(m[1])
            repeat, col, valued = (int(found[1]) if found else 1), 0, False
            if m[2]:  # <table:table-row/>: empty
                row += repeat
        elif _local(token) in (b"table-cell", b"covered-table-cell"):
            found = _COLUMNS_REPEATED.search(m[3])
            col += int(found[1]) if found else 1
            if b"value-type" in m[3] or not m[4]:  # a value, or content of some kind: count it as one
                valued = True
                last_col = max(last_col, col)
        else:  # a new table
            row = 0
    return last_row, last_col


def _local(token: bytes) -> bytes:
    """The element's local name: ``<t:table-row r="2">`` → ``table-row``."""
    name = re.match(rb"</?([\w.:-]+)", token)[1]
    return name.rsplit(b":", 1)[-1]


def _xlsx_grid(xml: bytes) -> tuple[int, int]:
    """(last row, last column) of a worksheet's cells as calamine places them: by their reference, or, without
    one, after the previous row or cell."""
    last_row = last_col = row = col = 0
    for m in _XLSX_TOKEN.finditer(xml):
        if m[1] == b"row":
            found = _XLSX_ROW_REF.search(m[2])
            row, col = (int(found[1]) if found else row + 1), 0
        else:
            found = _XLSX_CELL_REF.search(m[2])
            if found:
                col, row = _column_number(found[1].upper()), max(row, int(found[2]))
            else:
                col += 1
            last_row, last_col = max(last_row, row or 1), max(last_col, col)
    return last_row, last_col


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n
