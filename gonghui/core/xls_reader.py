"""Old Excel files (xls, BIFF) read in a child process with a memory and CPU ceiling.

calamine turns a sheet into one dense grid from its first to its last cell: a 6 KB xls with one cell at A1 and one
at IV65536 asks it for a gigabyte. Unlike xlsx and ods (measured from their XML by ``tabular_guard``), the
cells of an xls sit in binary records of several kinds inside an OLE container, so instead of a second parser
that could miss a record kind, calamine runs in a child process under ``RLIMIT_AS`` and ``RLIMIT_CPU``: a bomb
kills the child, not the web worker. The child refuses a grid over ``MAX_GRID_CELLS`` before writing a row, a
cell longer than ``max_cell``, and output past a cap derived from the file's size (one long shared string repeated
in thousands of 14-byte cells would otherwise expand a small file into hundreds of MB); it sends the rows back as
JSON lines (typed values tagged; never pickle, which the parent would execute). The parent reads them in bounded
chunks and kills a child that writes past the cap.
"""

import datetime
import json
import logging
import os
import selectors
import subprocess
import sys
import time

from django.conf import settings

from .tabular_guard import MAX_GRID_CELLS, MB, cell_too_long, limits, not_spreadsheet, suspicious

log = logging.getLogger(__name__)

UNREADABLE, TOO_LARGE, CELL_TOO_LONG, NO_SHEET = 2, 3, 4, 5  # the child's exit codes besides 0
# The rows as UTF-8 JSON weigh a few times the file: a 6-byte MULRK number becomes up to 26 bytes, a 14-byte
# LABELSST cell the text of its shared string (a unit name repeated down a column: 5 to 10 times). Output past
# OUT_PER_BYTE times the file (never less than OUT_FLOOR, never more than 4 x max_in_memory) is a bomb.
OUT_PER_BYTE = 16
OUT_FLOOR = 32 * MB
CHUNK = 64 * 1024

# Runs with ``python -I``: no Django, no project code, only calamine from the same environment.
CHILD = r"""
import datetime, io, json, resource, sys

memory, cpu, max_cells, max_out, max_cell = (int(a) for a in sys.argv[1:6])
wanted, fallback = (sys.argv[6], sys.argv[7] == "1") if len(sys.argv) > 7 else ("", True)
for limit, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu)):
    hard = resource.getrlimit(limit)[1]
    resource.setrlimit(limit, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))
data = sys.stdin.buffer.read()
from python_calamine import CalamineWorkbook
try:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    if wanted and wanted in [n.strip() for n in book.sheet_names]:
        sheet = book.get_sheet_by_index([n.strip() for n in book.sheet_names].index(wanted))
    elif wanted and not fallback:
        sys.exit(5)
    else:
        sheet = book.get_sheet_by_index(0)
except MemoryError:
    raise
except Exception as exc:
    sys.stderr.write(str(exc)[:500])
    sys.exit(2)
del data
if sheet.height * sheet.width > max_cells:
    sys.exit(3)

def typed(v):
    if isinstance(v, datetime.datetime):
        return {"dt": v.isoformat()}
    if isinstance(v, datetime.date):
        return {"d": v.isoformat()}
    if isinstance(v, datetime.time):
        return {"t": v.isoformat()}
    if isinstance(v, datetime.timedelta):
        return {"td": v.total_seconds()}
    return v

left = sheet.start[1] if sheet.start else 0
pad = [""] * left
out, written = sys.stdout.buffer, 0
for cells in sheet.iter_rows():
    for c in cells:
        if isinstance(c, str) and len(c) > max_cell:
            sys.exit(4)
    line = (json.dumps([*pad, *(typed(c) for c in cells)], ensure_ascii=False) + "\n").encode()
    written += len(line)
    if written > max_out:
        sys.exit(3)
    out.write(line)
out.flush()
"""


def _value(v):
    if isinstance(v, dict):
        (tag, text), = v.items()
        if tag == "dt":
            return datetime.datetime.fromisoformat(text)
        if tag == "d":
            return datetime.date.fromisoformat(text)
        if tag == "t":
            return datetime.time.fromisoformat(text)
        return datetime.timedelta(seconds=text)
    return v


class XlsSheetMissing(Exception):
    """The workbook has no sheet of the name asked for (and the first sheet was not to be taken instead)."""


def read_xls(data: bytes, *, max_in_memory: int, max_cell: int | None = None, sheet: str = "",
             fallback: bool = True) -> list[list]:
    """The first sheet's (or the sheet named ``sheet``'s: see ``tabular.Table``) rows (line 1 first;
    the columns left of the first value kept as ""), as calamine types
    them. A file that would need more memory, CPU or output than an honest roster is refused as a bomb, one with
    a cell over ``max_cell`` characters (default: the IMPORT_MAX_CELL_CHARS setting) as such."""
    memory = int(getattr(settings, "IMPORT_XLS_MEMORY_MB", 768) * MB)
    cpu = int(getattr(settings, "IMPORT_XLS_CPU_SECONDS", 60))
    max_cell = limits().max_cell if max_cell is None else max_cell
    max_out = output_cap(len(data), max_in_memory)
    # Our own interpreter and code, numbers as arguments; the untrusted file goes to stdin only.
    args = [sys.executable, "-I", "-c", CHILD, str(memory), str(cpu), str(MAX_GRID_CELLS), str(max_out), str(max_cell),
            sheet, "1" if fallback else "0"]
    returncode, out, err = _run(args, data, max_out, deadline=time.monotonic() + cpu * 2)
    if returncode == UNREADABLE:
        log.info("unreadable xls: %s", bytes(err[:500]).decode(errors="replace"))
        raise not_spreadsheet()
    if returncode == NO_SHEET:
        raise XlsSheetMissing(sheet)
    if returncode == CELL_TOO_LONG:
        raise cell_too_long(max_cell)
    if returncode != 0:
        # Killed by its limits (a signal, an abort on a failed allocation, MemoryError) or refused by them.
        log.warning("xls reader refused the file: exit %s %s", returncode, bytes(err[:300]))
        raise suspicious()
    # Split on the newline only: JSON escapes it inside strings, but not U+2028 and the like.
    return [[_value(v) for v in json.loads(line)] for line in out.split(b"\n") if line]


def output_cap(size: int, max_in_memory: int) -> int:
    """Bytes of JSON lines the child may write for a file of ``size`` bytes."""
    return min(4 * max_in_memory, max(OUT_FLOOR, OUT_PER_BYTE * size))


def _run(args: list[str], data: bytes, max_out: int, *, deadline: float) -> tuple[int, bytearray, bytearray]:
    """Run the child, feeding it ``data``; its stdout is read in chunks and the child killed (refused as a bomb)
    once it passes ``max_out`` bytes or ``deadline``, so the parent never holds more than the cap."""
    child = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,  # noqa: S603
                             env={**os.environ, "RUST_BACKTRACE": "0"})  # a refused bomb logs one line
    out, err = bytearray(), bytearray()
    try:
        with selectors.DefaultSelector() as sel:
            # The file goes in as the child can take it, so a child stuck before reading it still meets the deadline.
            view = memoryview(data)
            os.set_blocking(child.stdin.fileno(), False)
            sel.register(child.stdin, selectors.EVENT_WRITE)
            sel.register(child.stdout, selectors.EVENT_READ, out)
            sel.register(child.stderr, selectors.EVENT_READ, err)
            while sel.get_map():
                left = deadline - time.monotonic()
                if left <= 0:
                    log.warning("xls reader timed out")
                    raise suspicious()
                for key, _events in sel.select(left):
                    if key.fileobj is child.stdin:
                        try:
                            view = view[os.write(key.fd, view[:CHUNK]):]
                        except BlockingIOError:
                            continue
                        except BrokenPipeError:
                            view = view[:0]  # the child died early: its exit code says why
                        if not view:
                            sel.unregister(child.stdin)
                            child.stdin.close()
                        continue
                    chunk = os.read(key.fd, CHUNK)
                    if not chunk:
                        sel.unregister(key.fileobj)
                        continue
                    if key.data is out:
                        out += chunk
                        if len(out) > max_out:
                            log.warning("xls reader wrote more than %s bytes", max_out)
                            raise suspicious()
                    elif len(err) < CHUNK:
                        err += chunk
        returncode = child.wait(max(deadline - time.monotonic(), 1))
    except subprocess.TimeoutExpired as exc:
        log.warning("xls reader timed out")
        raise suspicious() from exc
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for pipe in (child.stdin, child.stdout, child.stderr):
            pipe.close()
    return returncode, out, err  # not copied: the rows are parsed from the buffer itself
