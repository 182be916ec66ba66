"""xlsx read as a stream: the worksheet part of the zip is inflated as it is read and its cells picked out of the
XML, so memory stays bounded by a chunk whatever the sheet's length (shared strings, when the file has them, are
held compactly: the one part that grows with the file). ``tabular.open_table`` uses it for xlsx; a file it does
not recognize (``XlsxNotStreamable``) goes to calamine instead."""

import datetime
import html
import io
import logging
import os
import re
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from pathlib import PurePosixPath

from .tabular_guard import (
    MAX_ROW_BYTES,
    Limits,
    TableFileError,
    cell_too_long,
    check_zip,
    limits,
    not_spreadsheet,
)

log = logging.getLogger(__name__)

CHUNK = 1 << 20  # characters (CSV) or bytes (xlsx) read at a time
MAX_SHEET_ROWS = 1_048_576  # Excel's last row

Source = bytes | str | os.PathLike


def _unreadable(exc: Exception) -> TableFileError:
    log.info("unreadable spreadsheet: %s", exc)
    return not_spreadsheet()


def _open(source: Source):
    """A binary file object over the source (bytes in memory, or a path)."""
    return io.BytesIO(source) if isinstance(source, bytes | bytearray | memoryview) else open(source, "rb")


# --- the streamed reader -----------------------------------------------------------------------------------------


class XlsxNotStreamable(Exception):
    """A zip that is not an xlsx this reader understands (ods, xlsb, prefixed XML): calamine reads it."""


class SheetMissing(Exception):
    """The workbook has no sheet of the name asked for (and the first sheet was not to be taken instead)."""


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
    def open(cls, source: Source, lim: Limits | None = None, *, strings: bool = True, sheet: str = "",
             fallback: bool = True) -> "XlsxSheet":
        """The first worksheet, or the one named ``sheet`` (when there is none: the first one if ``fallback``,
        else SheetMissing); ``strings=False`` leaves the shared strings unread (to count the rows only)."""
        lim = lim or limits()
        with zipfile.ZipFile(_open(source)) as z:
            names = set(check_zip(z, lim, whole=False))
            if "xl/workbook.xml" not in names:
                raise XlsxNotStreamable("not an xlsx workbook")
            workbook = z.read("xl/workbook.xml").decode()
            if _root_prefix(workbook):
                raise XlsxNotStreamable("prefixed XML")
            path = _first_sheet(z, workbook, sheet, fallback)
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


def _first_sheet(z: zipfile.ZipFile, workbook: str, name: str = "", fallback: bool = True) -> str:
    """The path of the workbook's first sheet (hidden or not: calamine's sheet 0), or of the sheet ``name``."""
    tags = [dict(_attrs(tag)) for tag in re.findall(r"<sheet\b[^>]*>", workbook)]
    if not tags:
        raise XlsxNotStreamable("no sheet")
    found = tags[0]
    if name:
        named = [t for t in tags if t.get("name", "").strip() == name]
        if named:
            found = named[0]
        elif not fallback:
            raise SheetMissing(name)
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


