"""Spreadsheets read as tables: a header row found among the first rows, rows streamed with their line numbers.

Generic pieces for importers (see ``gonghui.members.roster``): ``open_table`` opens the first sheet of a file
(given as bytes or as a path), ``Table.rows()`` streams it (and can be called again for a second pass),
``HeaderMap`` recognizes column headers by their names and synonyms, ``find_header`` picks the header row
below any title rows, and ``problems_xlsx`` writes the refused rows back with their row number and problems in
front.

Memory stays bounded by a chunk of the file, whatever its length: CSV is decoded as it is read, and xlsx is
read by ``XlsxSheet``, which inflates the worksheet part of the zip as it goes and picks the cells out of its
XML (shared strings, when the file has them, are held compactly: the one part that grows with the file).
python-calamine, which builds the whole sheet in memory (about 1.2 KB per row of 13 cells), reads the other
formats (ods, and any xlsx the streaming reader does not recognize; xls in a child process with a memory and CPU
ceiling, ``xls_reader``).
"""

import codecs
import csv
import io
import logging
import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .identity import to_halfwidth
from .spreadsheets import cell_text, write_xlsx
from .tabular_guard import (
    Limits,
    TableFileError,
    cell_too_long,
    check_grid,
    check_zip,
    limits,
    not_spreadsheet,
    too_many_rows,
    verify_zip,
)
from .xls_reader import XlsSheetMissing, read_xls
from .xlsx_stream import (  # noqa: F401 (EXCEL_EPOCH, MAX_SHEET_ROWS: part of this module's interface)
    CHUNK,
    EXCEL_EPOCH,
    MAX_SHEET_ROWS,
    SheetMissing,
    Source,
    XlsxNotStreamable,
    XlsxSheet,
    _open,
    _unreadable,
)

log = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 10
REPORT_ROW = "行号"
REPORT_PROBLEMS = "问题"


SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
CSV_EXTENSIONS = (".csv", ".txt")
_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def _start(source: Source) -> bytes:
    with _open(source) as f:
        return f.read(512)


def _is_csv(head: bytes, filename: str) -> bool:
    """By the name first: random bytes named .xlsx are "not a spreadsheet", not a CSV in an odd encoding."""
    name = filename.lower()
    if name.endswith(CSV_EXTENSIONS):
        return True
    if name.endswith(SPREADSHEET_EXTENSIONS):
        if not head.startswith(_MAGIC):
            raise not_spreadsheet()
        return False
    return not head.startswith(_MAGIC) and b"\x00" not in head[:512]


def _size(source: Source) -> int:
    return len(source) if isinstance(source, bytes | bytearray | memoryview) else os.stat(source).st_size


class Table:
    """The first sheet of a file (or the sheet named ``sheet``: when the workbook has none of that name, the first
    sheet if ``fallback``, else a TableFileError with code "no_sheet"; a CSV is its one sheet). ``rows()``
    yields ``(line, cells)`` with 1-based line numbers as the user
    sees them in the spreadsheet, and can be called again (each call reads the file again, from the start)."""

    def __init__(self, data: Source, filename: str = "", *, kind: str = "", lim: Limits | None = None,
                 strings: bool = True, sheet: str = "", fallback: bool = True):
        head = _start(data)
        if not head:
            raise TableFileError(_("The file is empty."), code="empty")
        self.filename = filename
        self.limits = lim = lim or limits(kind)
        self._source = data
        self._encoding = ""
        self._sheet = None
        self._count: int | None = None
        if _is_csv(head, filename):
            if sheet and not fallback:
                raise _no_sheet(sheet)
            self._encoding = _csv_encoding(data)
            return
        if not head.startswith(b"PK"):  # xls (an OLE file): calamine reads it whole, in a bounded child process
            if _size(data) > lim.max_in_memory:
                raise TableFileError(_("An xls file larger than %(mb)s MB cannot be read; save it as xlsx.")
                                     % {"mb": lim.max_in_memory // (1024 * 1024)}, code="too_large")
            with _open(data) as f:
                try:
                    self._sheet = _XlsSheet(read_xls(f.read(), max_in_memory=lim.max_in_memory,
                                                            max_cell=lim.max_cell, sheet=sheet, fallback=fallback))
                except XlsSheetMissing:
                    raise _no_sheet(sheet) from None
            return
        try:
            self._sheet = XlsxSheet.open(data, lim, strings=strings, sheet=sheet, fallback=fallback)
        except SheetMissing:
            raise _no_sheet(sheet) from None
        except XlsxNotStreamable:
            try:
                with zipfile.ZipFile(_open(data)) as z:
                    check_zip(z, lim, whole=True)
                    verify_zip(z)
                    check_grid(z)
            except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
                raise _unreadable(exc) from exc
            try:
                self._sheet = _calamine_sheet(data, sheet, fallback)
            except SheetMissing:
                raise _no_sheet(sheet) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, OSError) as exc:
            raise _unreadable(exc) from exc

    @property
    def estimated_rows(self) -> int:
        """The sheet's lines, counted by streaming it (never what the file claims, such as its <dimension>);
        an upper bound for a CSV whose quoted cells hold line breaks."""
        if self._count is None:
            self._count = self.count_rows()
        return self._count

    def count_rows(self, limit: int = 0) -> int:
        """Count the rows by streaming the file, stopping past ``limit`` when it is given."""
        if self._sheet is None:
            return _count_lines(self._source, limit)
        return self._sheet.count_rows(limit)

    @property
    def streamed(self) -> bool:
        """Whether the rows are read as they are needed (False: the whole sheet is in memory)."""
        return not isinstance(self._sheet, _CalamineSheet)

    def rows(self, start: int = 1) -> Iterator[tuple[int, list]]:
        """Rows from line ``start`` on (1-based), each as a list of cell values. Past the kind's row limit
        (``limits.max_rows`` data rows below at most HEADER_SEARCH_ROWS title and header rows) the file is
        refused as it is read, before any more of it is held."""
        stop = self.limits.max_rows + HEADER_SEARCH_ROWS if self.limits.max_rows else 0
        for line, cells in self._lines(start):
            if stop and line > stop:
                raise too_many_rows(self.limits.max_rows)
            yield line, cells

    def _lines(self, start: int) -> Iterator[tuple[int, list]]:
        if self._sheet is not None:
            yield from self._sheet.rows(start)
            return
        max_cell = self.limits.max_cell
        with _open(self._source) as raw:
            text = io.TextIOWrapper(raw, encoding=self._encoding, newline="")
            try:
                for line, cells in enumerate(csv.reader(_bounded_lines(text, max_cell)), start=1):
                    if line >= start:
                        if cells and max(map(len, cells)) > max_cell:
                            raise cell_too_long(max_cell)
                        yield line, cells
            except csv.Error as exc:
                if "field limit" in str(exc):
                    raise cell_too_long(max_cell) from exc
                raise _unreadable(exc) from exc

    def head(self, n: int = HEADER_SEARCH_ROWS) -> list[list]:
        out = []
        for _line, cells in self.rows():
            out.append(list(cells))
            if len(out) >= n:
                break
        return out


def _bounded_lines(text, max_cell: int) -> Iterator[str]:
    """The lines of a CSV, refusing one longer than a row of 16 full cells: a single line of millions of short
    fields would otherwise become one row of millions of cells in memory."""
    limit = max(max_cell * 16, CHUNK)
    while line := text.readline(limit):
        if len(line) >= limit and not line.endswith(("\n", "\r")):
            raise cell_too_long(max_cell)
        yield line


def open_table(data: Source, filename: str = "", *, kind: str = "", sheet: str = "",
               fallback: bool = True) -> Table:
    """The first sheet of a file (or the sheet named ``sheet``, see ``Table``), checked against the limits of the
    import ``kind`` (settings)."""
    return Table(data, filename, kind=kind, sheet=sheet, fallback=fallback)


def _no_sheet(name: str) -> TableFileError:
    return TableFileError(_("The workbook has no sheet named %(sheet)s.") % {"sheet": name}, code="no_sheet")


def count_rows(data: Source, filename: str = "", *, kind: str = "", limit: int = 0) -> int:
    """The rows of the first sheet counted by streaming it (stopping past ``limit``), after the same checks as
    ``open_table`` but without reading an xlsx's shared strings: cheap enough for a web request."""
    return Table(data, filename, kind=kind, strings=False).count_rows(limit)


def _csv_encoding(source: Source) -> str:
    """utf-8-sig when the whole file decodes as UTF-8, else gb18030 (checked chunk by chunk, nothing kept)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with _open(source) as f:
                while chunk := f.read(CHUNK * 4):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise TableFileError(_("The CSV file is neither UTF-8 nor GBK encoded."), code="unreadable")


def _count_lines(source: Source, limit: int = 0) -> int:
    if isinstance(source, bytes | bytearray):
        return source.count(b"\n") + 1
    count = 1
    with _open(source) as f:
        while chunk := f.read(CHUNK * 4):
            count += chunk.count(b"\n")
            if limit and count > limit:
                break
    return count


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableFileError(_("The CSV file is neither UTF-8 nor GBK encoded."), code="unreadable")


# --- other formats, through calamine (the whole sheet in memory) ---------------------------------------------


class _CalamineSheet:
    """calamine's sheet, its cells numbered as the spreadsheet shows them: ``iter_rows`` starts at line 1 but at
    the first non-empty column, so the columns before it are put back."""

    def __init__(self, sheet):
        self._sheet = sheet
        start = sheet.start
        self._left = start[1] if start else 0

    def count_rows(self, limit: int = 0) -> int:
        return sum(1 for _row in self._sheet.iter_rows())  # in memory already (bounded by max_in_memory)

    def rows(self, start: int = 1) -> Iterator[tuple[int, list]]:
        pad = [""] * self._left
        for line, cells in enumerate(self._sheet.iter_rows(), start=1):
            if line >= start:
                yield line, [*pad, *cells] if pad else cells


class _XlsSheet(_CalamineSheet):
    """The rows an xls child process sent back (``xls_reader``), already padded like ``_CalamineSheet``'s."""

    def __init__(self, rows: list[list]):
        self._rows = rows

    def count_rows(self, limit: int = 0) -> int:
        return len(self._rows)

    def rows(self, start: int = 1) -> Iterator[tuple[int, list]]:
        start = max(start, 1)
        yield from enumerate(self._rows[start - 1:], start=start)


def _calamine_sheet(source: Source, sheet: str = "", fallback: bool = True) -> _CalamineSheet:
    from python_calamine import CalamineWorkbook

    try:
        with _open(source) as f:
            book = CalamineWorkbook.from_filelike(f)
            names = [n.strip() for n in book.sheet_names]
            if sheet and sheet not in names and not fallback:
                raise SheetMissing(sheet)
            return _CalamineSheet(book.get_sheet_by_index(names.index(sheet) if sheet in names else 0))
    except SheetMissing:
        raise
    except Exception as exc:  # calamine raises its own error types for unreadable files
        raise _unreadable(exc) from exc


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


def problems_by_row(problems, header_row: int) -> tuple[dict[int, list[str]], list[str]]:
    """An error report's problems: those of each data row ({row: [texts]}) and, as notes above the header, those
    of the file as a whole (at or above the header row). Each problem has ``row``, ``column`` and ``message``."""
    by_row: dict[int, list[str]] = {}
    notes: list[str] = []
    for p in problems:
        text = f"{p.column}：{p.message}" if p.column else str(p.message)
        if p.row <= header_row:
            notes.append(text)
        else:
            by_row.setdefault(p.row, []).append(text)
    return by_row, notes


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


@dataclass
class ReadFile:
    """A spreadsheet as an import read it: the good rows (row number, values), the problems of each refused row,
    the problems of the file as a whole, and what the error report needs (the header and the refused rows' cells).
    Each import subclasses it (adding what its confirmation shows) and fills it while checking the rows."""

    rows: list = field(default_factory=list)
    row_problems: dict[int, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    header: list = field(default_factory=list)
    cells: dict[int, list] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        return [*self.notes, *(_("Row %(n)s: %(msg)s") % {"n": line, "msg": m}
                               for line, msgs in sorted(self.row_problems.items()) for m in msgs)]

    def read(self, data: Source, filename: str, headers: HeaderMap, *, required: Iterable[str], missing: str,
             max_rows: int = 0, too_many: str = "") -> tuple[dict[str, int], list] | None:
        """Open the file, find its header row (a corrected error report's two leading columns skipped) and map the
        columns: ``(columns, body)``, the body being the non-blank rows after the header as (row number, cells).
        When the file cannot be read, lacks a ``required`` column (``missing`` says which) or has more than
        ``max_rows`` rows (``too_many``), the reason goes to ``notes`` and the answer is None."""
        try:
            rows = list(open_table(data, filename).rows())
        except TableFileError as exc:
            self.notes = list(exc.messages)
            return None
        header = find_header([cells for _line, cells in rows], headers, minimum=2)
        columns = {}
        if header is not None:
            self.header = cells = list(rows[header][1])
            skip = 2 if cells and cell_text(cells[0]) == REPORT_ROW else 0
            columns = {c.key: c.index + skip for c in map_columns(cells[skip:], headers) if c.key}
        if not set(required) <= set(columns):
            self.notes = [missing]
            return None
        body = [(line, cells) for line, cells in rows[header + 1:] if not is_blank(cells)]
        if max_rows and len(body) > max_rows:
            self.notes = [too_many]
            return None
        return columns, body

    def report(self) -> bytes:
        """The refused rows as they were in the file, each with its row number and problems (xlsx)."""
        return problems_xlsx(header=self.header, notes=self.notes, rows=(
            (line, "；".join(msgs), self.cells.get(line, [])) for line, msgs in sorted(self.row_problems.items())))
