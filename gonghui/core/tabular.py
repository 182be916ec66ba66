"""Spreadsheets read as tables: a header row found among the first rows, rows streamed with their line numbers.

Generic pieces for importers (see ``gonghui.members.roster``): ``open_table`` reads the first sheet once (the
sheet can then be iterated again without parsing the file a second time), ``HeaderMap`` recognizes column
headers by their names and synonyms, ``find_header`` picks the header row below any title rows, and
``problems_xlsx`` writes the refused rows back with their row number and problems in front.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .identity import to_halfwidth
from .spreadsheets import cell_text, write_xlsx

HEADER_SEARCH_ROWS = 10
REPORT_ROW = "行号"
REPORT_PROBLEMS = "问题"


class TableFileError(ValidationError):
    """The file as a whole cannot be used: empty, not a spreadsheet, or without a header row."""


def _is_csv(data: bytes, filename: str) -> bool:
    if filename.lower().endswith(".csv"):
        return True
    return not data[:4].startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) and b"\x00" not in data[:512]


class Table:
    """The first sheet of a file. ``rows()`` yields ``(line, cells)`` with 1-based line numbers as the user
    sees them in the spreadsheet, and can be called again (a second pass does not parse the file again)."""

    def __init__(self, data: bytes, filename: str = ""):
        if not data:
            raise TableFileError(_("The file is empty."), code="empty")
        self.filename = filename
        self._text: str | None = None
        self._sheet = None
        if _is_csv(data, filename):
            self._text = _decode(data)
            # An upper bound (quoted cells may hold line breaks); used only to show progress.
            self.estimated_rows = self._text.count("\n") + 1
        else:
            from python_calamine import CalamineWorkbook

            try:
                self._sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
            except Exception as exc:  # calamine raises its own error types for unreadable files
                raise TableFileError(
                    _("The file cannot be read as a spreadsheet (xlsx, xls, ods or csv): %(err)s")
                    % {"err": str(exc)[:200]}, code="unreadable") from exc
            end = self._sheet.end
            self.estimated_rows = end[0] + 1 if end else 0

    def rows(self, start: int = 1) -> Iterator[tuple[int, list]]:
        """Rows from line ``start`` on (1-based), each as a list of cell values."""
        try:
            source = csv.reader(io.StringIO(self._text)) if self._text is not None else self._sheet.iter_rows()
            for line, cells in enumerate(source, start=1):
                if line >= start:
                    yield line, cells
        except csv.Error as exc:
            raise TableFileError(_("The file cannot be read as a spreadsheet (xlsx, xls, ods or csv): %(err)s")
                                 % {"err": str(exc)[:200]}, code="unreadable") from exc

    def head(self, n: int = HEADER_SEARCH_ROWS) -> list[list]:
        out = []
        for _line, cells in self.rows():
            out.append(list(cells))
            if len(out) >= n:
                break
        return out


def open_table(data: bytes, filename: str = "") -> Table:
    return Table(data, filename)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableFileError(_("The CSV file is neither UTF-8 nor GBK encoded."), code="unreadable")


def cell_token(value) -> str:
    """A cell reduced for matching against known labels: no whitespace, half-width, lower case."""
    return re.sub(r"\s+", "", to_halfwidth(cell_text(value))).lower()


def label_table(labels: dict) -> dict[str, str]:
    """{choice value: (Chinese names...)} -> {token of each name, and of the value itself: value}."""
    table = {}
    for value, names in labels.items():
        for name in (value, *names):
            table[cell_token(name)] = str(value)
    return table


def header_token(value) -> str:
    """A header cell reduced to what identifies it: no spaces or line breaks, half-width, lower case, without
    a leading or trailing * or colon (required-column marks)."""
    return cell_token(value).strip("*:").strip()


class HeaderMap:
    """Recognizes headers. ``names`` maps each key to its names, the preferred one first."""

    def __init__(self, names: dict[str, Iterable[str]]):
        self._table: dict[str, tuple[str, int]] = {}
        for key, aliases in names.items():
            for rank, name in enumerate(aliases):
                self._table.setdefault(header_token(name), (key, rank))

    def match(self, value) -> tuple[str, int] | None:
        """(key, rank) for a header cell: exactly, or once a parenthesized note such as (必填) is dropped."""
        token = header_token(value)
        if not token:
            return None
        return self._table.get(token) or self._table.get(re.sub(r"\(.*?\)", "", token))

    def key(self, value) -> str | None:
        found = self.match(value)
        return found[0] if found else None


def find_header(rows: list[list], headers: HeaderMap, *, minimum: int = 2) -> int | None:
    """The 0-based index of the row naming the most known columns (at least ``minimum``), or None."""
    best, best_count = None, minimum - 1
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        count = len({key for key in map(headers.key, row) if key})
        if count > best_count:
            best, best_count = i, count
    return best


@dataclass
class MappedColumn:
    index: int  # 0-based position in the row
    header: str  # as written in the file
    key: str | None  # None: not a known column (or a second column meaning the same), ignored
    duplicate_of: str = ""  # the header of the column used instead, when this one means the same


def map_columns(header_cells: list, headers: HeaderMap) -> list[MappedColumn]:
    """The columns of a header row. When two columns mean the same thing (手机 and 联系电话), the one whose
    header is the more specific name is used and the other is left out."""
    columns = [MappedColumn(i, cell_text(h), headers.key(h)) for i, h in enumerate(header_cells)
               if cell_text(h) != ""]
    best: dict[str, MappedColumn] = {}
    for col in columns:
        if col.key is None:
            continue
        rank = headers.match(col.header)[1]
        current = best.get(col.key)
        if current is None or rank < headers.match(current.header)[1]:
            best[col.key] = col
    for col in columns:
        if col.key is not None and best[col.key] is not col:
            col.duplicate_of = best[col.key].header
            col.key = None
    return columns


def is_blank(cells: Iterable) -> bool:
    return all(cell_text(c) == "" for c in cells)


def in_batches(items: Iterable, size: int) -> Iterator[list]:
    """Lists of at most ``size`` items, consuming ``items`` lazily."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def problems_xlsx(*, header: list, rows: Iterable[tuple[int, str, list]], notes: list[str] | None = None,
                  sheet: str = "问题") -> bytes:
    """An xlsx of rows as they were in the file, each preceded by its row number and its problems.

    ``rows`` yields (line, problems text, original cells). The 行号 and 问题 columns are not known to the
    importers, so the report can be corrected and imported again as it is.
    """
    if notes and len(notes) > 5:
        notes = [*notes[:5], "…"]
    body = ((line, problems, *cells) for line, problems, cells in rows)
    return write_xlsx([REPORT_ROW, REPORT_PROBLEMS, *(cell_text(h) for h in header)], body, notes=notes,
                      sheet=sheet)
