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
import datetime
import html
import io
import logging
import os
import re
import zipfile
import zlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.translation import gettext as _

from .identity import to_halfwidth
from .spreadsheets import cell_text, write_xlsx
from .tabular_guard import (
    MAX_ROW_BYTES,
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
from .xls_reader import read_xls

log = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 10
REPORT_ROW = "行号"
REPORT_PROBLEMS = "问题"
CHUNK = 1 << 20  # characters (CSV) or bytes (xlsx) read at a time
MAX_SHEET_ROWS = 1_048_576  # Excel's last row

Source = bytes | str | os.PathLike


SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
CSV_EXTENSIONS = (".csv", ".txt")
_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def _unreadable(exc: Exception) -> TableFileError:
    log.info("unreadable spreadsheet: %s", exc)
    return not_spreadsheet()


def _open(source: Source):
    """A binary file object over the source (bytes in memory, or a path)."""
    return io.BytesIO(source) if isinstance(source, bytes | bytearray | memoryview) else open(source, "rb")


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
    """The first sheet of a file. ``rows()`` yields ``(line, cells)`` with 1-based line numbers as the user
    sees them in the spreadsheet, and can be called again (each call reads the file again, from the start)."""

    def __init__(self, data: Source, filename: str = "", *, kind: str = "", lim: Limits | None = None,
                 strings: bool = True):
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
            self._encoding = _csv_encoding(data)
            return
        if not head.startswith(b"PK"):  # xls (an OLE file): calamine reads it whole, in a bounded child process
            if _size(data) > lim.max_in_memory:
                raise TableFileError(_("An xls file larger than %(mb)s MB cannot be read; save it as xlsx.")
                                     % {"mb": lim.max_in_memory // (1024 * 1024)}, code="too_large")
            with _open(data) as f:
                self._sheet = _XlsSheet(read_xls(f.read(), max_in_memory=lim.max_in_memory))
            return
        try:
            self._sheet = XlsxSheet.open(data, lim, strings=strings)
        except XlsxNotStreamable:
            try:
                with zipfile.ZipFile(_open(data)) as z:
                    check_zip(z, lim, whole=True)
                    verify_zip(z)
                    check_grid(z)
            except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
                raise _unreadable(exc) from exc
            self._sheet = _calamine_sheet(data)
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
                        for cell in cells:
                            if len(cell) > max_cell:
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


def open_table(data: Source, filename: str = "", *, kind: str = "") -> Table:
    """The first sheet of a file, checked against the limits of the import ``kind`` (settings)."""
    return Table(data, filename, kind=kind)


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


# --- xlsx, streamed -----------------------------------------------------------------------------------------


class XlsxNotStreamable(Exception):
    """A zip that is not an xlsx this reader understands (ods, xlsb, prefixed XML): calamine reads it."""


_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ATTR = re.compile(r'([\w:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_ROOT = re.compile(r"<(?!\?|!)([\w:]+)")
# Inside sheetData: a row's start tag, a cell as most writers (Excel, xlsxwriter, LibreOffice) write it, or any
# other cell (attributes in another order, a formula, rich text...), read by _cell().
_TOKENS = re.compile(
    rb'<(?:c r="([A-Z]{1,3})[0-9]++"(?: s="([0-9]++)")?(?: t="([a-zA-Z]++)")?'
    rb'(?:/>|>(?:<v>([^<]*+)</v>|<is><t>([^<]*+)</t></is>)</c>)'
    rb'|(row)\b([^>]*?)(/?)>'
    rb'|(c)\b([^>]*?)(?:/>|>(.*?)</c>))', re.S)
_ROW_START = re.compile(rb"<row[\s>/]")
_ROW_NUMBER = re.compile(rb'\br\s*=\s*["\']?(\d+)')
_COLUMNS: dict[bytes, int] = {}  # b"AB" -> 27, filled as columns are seen
_VALUE = re.compile(r"<v(?:\s[^>]*)?>(.*?)</v>", re.S)
_INLINE = re.compile(r"<is(?:\s[^>]*)?>(.*?)</is>", re.S)
_TEXT = re.compile(r"<t(?:\s[^>]*)?>(.*?)</t>|<t(?:\s[^>]*)?/>", re.S)
_PHONETIC = re.compile(r"<rPh\b.*?</rPh>", re.S)
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SI = re.compile(r"<si(?:\s[^>]*)?>(.*?)</si>|<si(?:\s[^>]*)?/>", re.S)
_SI_PLAIN = re.compile(r"<t(?: [^>]*)?>([^<]*)</t>")
_DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)])
_DATE_CODE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
EPOCH_1904 = datetime.datetime(1904, 1, 1)


def _unescape(text: str) -> str:
    if "&" in text:
        text = html.unescape(text)
    if "_x" in text:  # Excel's escape for control characters: _x000D_ (and _x005F_ for an underscore)
        text = _ESCAPED.sub(lambda m: chr(int(m[1], 16)), text)
    return text


def _rich_text(xml: str) -> str:
    """The text of a string item (<si> or <is>): its runs, without the phonetic guides (<rPh>)."""
    if "<rPh" in xml:
        xml = _PHONETIC.sub("", xml)
    return _unescape("".join(m[1] or "" for m in _TEXT.finditer(xml)))


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _is_date_format(code: str) -> bool:
    bare = _DATE_CODE.sub("", code).lower()
    return any(ch in bare for ch in "ymdhs") and "general" not in bare


class SharedStrings:
    """The workbook's shared strings, stored as one UTF-8 buffer with offsets (about a third of a list of
    str for a roster of names and numbers)."""

    def __init__(self):
        self._blob = bytearray()
        self._ends = array("Q")

    def append(self, text: str) -> None:
        self._blob += text.encode()
        self._ends.append(len(self._blob))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> str:
        return self._blob[self._ends[i - 1] if i else 0:self._ends[i]].decode()


class XlsxSheet:
    """The first worksheet of an xlsx (or xlsm) file, its rows streamed from the zip: the worksheet part is
    inflated and decoded a chunk at a time and its cells picked out with regular expressions, so memory does
    not grow with the number of rows (except for the shared strings). Values are typed as calamine types them:
    numbers are floats, date-formatted numbers are dates (datetimes when they carry a time), booleans are bools,
    empty cells are ""."""

    def __init__(self, source: Source, sheet_path: str, strings: SharedStrings, date_styles: frozenset,
                 epoch: datetime.datetime, max_cell: int):
        self._source = source
        self._path = sheet_path
        self._strings = strings
        self._dates = date_styles
        self._epoch = epoch
        self._max_cell = max_cell
        self._seen_dates: dict[bytes, object] = {}  # a serial number -> its date: a roster repeats its dates

    @classmethod
    def open(cls, source: Source, lim: Limits | None = None, *, strings: bool = True) -> "XlsxSheet":
        """The first worksheet; ``strings=False`` leaves the shared strings unread (to count the rows only)."""
        lim = lim or limits()
        with zipfile.ZipFile(_open(source)) as z:
            names = set(check_zip(z, lim, whole=False))
            if "xl/workbook.xml" not in names:
                raise XlsxNotStreamable("not an xlsx workbook")
            workbook = z.read("xl/workbook.xml").decode()
            if _root_prefix(workbook):
                raise XlsxNotStreamable("prefixed XML")
            path = _first_sheet(z, workbook)
            if path not in names:
                raise XlsxNotStreamable("no worksheet")
            shared = SharedStrings()
            sst = _related(z, "xl/workbook.xml", "sharedStrings") or "xl/sharedStrings.xml"
            if sst in names and strings:
                _read_strings(z, sst, shared, lim.max_cell)
            styles = _related(z, "xl/workbook.xml", "styles") or "xl/styles.xml"
            dates = _date_styles(z.read(styles).decode()) if styles in names else frozenset()
            pr = re.search(r"<workbookPr\b([^>]*)>", workbook)
            epoch = EPOCH_1904 if pr and dict(_attrs(pr[1])).get("date1904") in ("1", "true") else EXCEL_EPOCH
            with z.open(path) as f:
                start = f.read(4096).decode("utf-8", "ignore")
            if _root_prefix(start):
                raise XlsxNotStreamable("prefixed XML")
        return cls(source, path, shared, dates, epoch, lim.max_cell)

    def count_rows(self, limit: int = 0) -> int:
        """The <row> elements of the worksheet, counted as it is inflated (nothing parsed, nothing kept)."""
        count, tail = 0, b""
        try:
            with zipfile.ZipFile(_open(self._source)) as z, z.open(self._path) as raw:
                while chunk := raw.read(CHUNK * 4):
                    block = tail + chunk
                    count += len(_ROW_START.findall(block))
                    tail = block[-5:]  # "<row" split across two chunks: matched once, in the next block
                    count -= len(_ROW_START.findall(tail))
                    if limit and count > limit:
                        break
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
            raise _unreadable(exc) from exc
        return count

    def rows(self, start: int = 1) -> Iterator[tuple[int, list]]:
        """Every line from ``start`` on, including the empty lines between rows (as empty lists)."""
        line = 0
        try:
            for number, cells in self._rows():
                if number > MAX_SHEET_ROWS:  # past Excel's last row: the gap before it would never end
                    raise ValueError(f"row {number}")
                while line + 1 < number:
                    line += 1
                    if line >= start:
                        yield line, []
                line = number
                if line >= start:
                    yield line, cells
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, IndexError, OSError) as exc:
            raise _unreadable(exc) from exc  # found broken halfway: a bad CRC, a cut file, a bad reference

    def _rows(self) -> Iterator[tuple[int, list]]:
        # The XML is scanned as UTF-8 bytes (no byte of a multi-byte character is "<"); only the values are decoded.
        with zipfile.ZipFile(_open(self._source)) as z, z.open(self._path) as raw:
            buffer, inside, number = b"", False, 0
            while True:
                chunk = raw.read(CHUNK)
                buffer += chunk
                if not inside:
                    at = buffer.find(b"<sheetData")
                    close = buffer.find(b">", at) if at >= 0 else -1
                    if close < 0:
                        if not chunk:
                            return  # no sheetData: no rows
                        buffer = buffer[-40:] if at < 0 else buffer[at:]
                        continue
                    if buffer[close - 1:close] == b"/":  # <sheetData/>
                        return
                    buffer, inside = buffer[close + 1:], True
                stop = buffer.find(b"</sheetData>")
                if stop >= 0:
                    body, buffer = buffer[:stop], b""
                elif not chunk:
                    raise ValueError("the worksheet ends inside its rows")
                else:
                    cut = buffer.rfind(b"</row>")
                    if cut < 0:
                        if len(buffer) > MAX_ROW_BYTES:  # one row as large as a whole roster: a bomb
                            raise cell_too_long(self._max_cell)
                        continue
                    body, buffer = buffer[:cut + 6], buffer[cut + 6:]
                for row in self._parse(body, number):
                    number = row[0]  # the next chunk numbers rows without an r attribute from here
                    yield row
                if stop >= 0:
                    return

    def _parse(self, body: bytes, number: int) -> Iterator[tuple[int, list]]:
        """(row number, cells) for the rows in ``body``, a run of whole <row> elements."""
        strings, dates, columns, seen_dates = self._strings, self._dates, _COLUMNS, self._seen_dates
        if len(seen_dates) > 100_000:
            seen_dates.clear()
        cells: list | None = None
        for col, style, kind, value, inline, row, attrs, empty, _c, other_attrs, content in _TOKENS.findall(body):
            if col:
                if kind == b"inlineStr":
                    v = inline.decode()
                    if "&" in v or "_x" in v:
                        v = _unescape(v)
                    if len(v) > self._max_cell:
                        raise cell_too_long(self._max_cell)
                elif kind == b"s":
                    v = strings[int(value)] if value else ""
                elif kind and kind != b"n":
                    v = self._typed(kind.decode(), value.decode())
                elif not value:
                    v = ""
                elif style and int(style) in dates:
                    v = seen_dates.get(value)
                    if v is None:
                        v = seen_dates[value] = self._date(float(value))
                else:
                    v = float(value)
                i = columns.get(col)
                if i is None:
                    i = columns[col] = _column(col.decode())
            elif row:
                if cells is not None:
                    yield number, cells
                r = _ROW_NUMBER.search(attrs)
                number = int(r[1]) if r else number + 1
                cells = None if empty else []
                if empty:
                    yield number, []
                continue
            else:
                found = dict(_attrs(other_attrs.decode()))
                ref = re.match(r"[A-Z]{1,3}(?![A-Z])", found.get("r", ""))  # at most ZZZ, as the fast path
                i = _column(ref[0]) if ref else len(cells or [])
                v = self._cell(found, content.decode())
                if isinstance(v, str) and len(v) > self._max_cell:
                    raise cell_too_long(self._max_cell)
            if cells is None:  # a cell outside any row (malformed): read as a row of its own
                number, cells = number + 1, []
            n = len(cells)
            if i == n:
                cells.append(v)
            elif i > n:
                cells.extend([""] * (i - n))
                cells.append(v)
            else:
                cells[i] = v
        if cells is not None:
            yield number, cells

    def _cell(self, attrs: dict, content: str):
        """A cell in any other shape: attributes in another order, a formula, rich text, whitespace."""
        kind, style = attrs.get("t", "n"), attrs.get("s", "")
        if kind == "inlineStr":
            m = _INLINE.search(content)
            return _rich_text(m[1]) if m else ""
        m = _VALUE.search(content)
        value = m[1] if m else ""
        if kind == "s":
            return self._strings[int(value)] if value else ""
        if kind == "n":
            if value == "":
                return ""
            return self._date(float(value)) if style and int(style) in self._dates else float(value)
        return self._typed(kind, value)

    def _typed(self, kind: str, value: str):
        if kind == "b":
            return value.strip() in ("1", "true")
        if kind in ("str", "e"):  # a formula's text, or an error such as #N/A
            return _unescape(value)
        if kind == "d":  # an ISO 8601 date (rare: LibreOffice's strict mode)
            try:
                parsed = datetime.datetime.fromisoformat(value)
            except ValueError:
                return value
            return parsed.date() if parsed.time() == datetime.time() else parsed
        if value == "":
            return ""
        try:
            return float(value)
        except ValueError:
            return _unescape(value)

    def _date(self, serial: float):
        """An Excel serial number as calamine reads it: a date, a datetime, or a time (under one day)."""
        if serial < 0:
            return serial
        if serial < 1:
            ms = round(serial * 86_400_000)
            return (datetime.datetime.min + datetime.timedelta(milliseconds=ms)).time() if ms < 86_400_000 else \
                datetime.time()
        if self._epoch is EXCEL_EPOCH and serial < 60:  # Excel counts a 29 February 1900 that never was
            serial += 1
        try:
            moment = self._epoch + datetime.timedelta(milliseconds=round(serial * 86_400_000))
        except OverflowError:
            return serial
        return moment.date() if moment.time() == datetime.time() else moment


def _attrs(text: str) -> Iterator[tuple[str, str]]:
    for name, double, single in _ATTR.findall(text):
        yield name, _unescape(double or single)


def _root_prefix(xml: str) -> bool:
    m = _ROOT.search(xml)
    return bool(m and ":" in m[1])


def _related(z: zipfile.ZipFile, part: str, kind: str) -> str | None:
    """The target of the part's first relationship of this kind, as a path in the zip."""
    rels = f"{PurePosixPath(part).parent}/_rels/{PurePosixPath(part).name}.rels"
    try:
        xml = z.read(rels).decode()
    except KeyError:
        return None
    for tag in re.findall(r"<Relationship\b[^>]*>", xml):
        found = dict(_attrs(tag))
        if found.get("Type", "").endswith("/" + kind):
            return _resolve(part, found.get("Target", ""))
    return None


def _resolve(part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in f"{PurePosixPath(part).parent}/{target}".split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _first_sheet(z: zipfile.ZipFile, workbook: str) -> str:
    """The path of the workbook's first sheet (hidden or not: calamine's sheet 0)."""
    sheet = re.search(r"<sheet\b[^>]*>", workbook)
    if sheet is None:
        raise XlsxNotStreamable("no sheet")
    found = dict(_attrs(sheet[0]))
    rid = next((v for k, v in found.items() if k.endswith(":id")), None)
    try:
        xml = z.read("xl/_rels/workbook.xml.rels").decode()
    except KeyError:
        raise XlsxNotStreamable("no workbook relationships") from None
    for tag in re.findall(r"<Relationship\b[^>]*>", xml):
        rel = dict(_attrs(tag))
        if rel.get("Id") == rid:
            return _resolve("xl/workbook.xml", rel.get("Target", ""))
    raise XlsxNotStreamable("the first sheet has no part")


def _read_strings(z: zipfile.ZipFile, path: str, strings: SharedStrings, max_cell: int) -> None:
    # A string item's XML may be several times its text (runs, phonetic guides), never this much.
    max_item = max(max_cell * 16, CHUNK)
    with z.open(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8")
        buffer = ""
        while True:
            chunk = text.read(CHUNK)
            buffer += chunk
            cut = max(buffer.rfind("</si>") + 5, buffer.rfind("/>") + 2) if chunk else len(buffer)
            if cut <= 1:
                if len(buffer) > max_item:
                    raise cell_too_long(max_cell)
                continue
            for m in _SI.finditer(buffer, 0, cut):
                item = m[1] or ""
                plain = _SI_PLAIN.fullmatch(item)
                value = _unescape(plain[1]) if plain else _rich_text(item)
                if len(value) > max_cell:
                    raise cell_too_long(max_cell)
                strings.append(value)
            buffer = buffer[cut:]
            if len(buffer) > max_item:
                raise cell_too_long(max_cell)
            if not chunk:
                return


def _date_styles(xml: str) -> frozenset:
    """Indexes of the cell formats (the s attribute of a cell) that show numbers as dates or times."""
    custom = {int(d["numFmtId"]): d.get("formatCode", "")
              for d in (dict(_attrs(t)) for t in re.findall(r"<numFmt\b[^>]*>", xml)) if "numFmtId" in d}
    xfs = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", xml, re.S)
    out = set()
    for i, tag in enumerate(re.findall(r"<xf\b[^>]*>", xfs[1] if xfs else "")):
        fmt = int(dict(_attrs(tag)).get("numFmtId", "0") or 0)
        if fmt in custom:
            if _is_date_format(custom[fmt]):
                out.add(i)
        elif fmt in _DATE_IDS:
            out.add(i)
    return frozenset(out)


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


def _calamine_sheet(source: Source) -> _CalamineSheet:
    from python_calamine import CalamineWorkbook

    try:
        with _open(source) as f:
            return _CalamineSheet(CalamineWorkbook.from_filelike(f).get_sheet_by_index(0))
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
