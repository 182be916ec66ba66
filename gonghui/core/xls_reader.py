"""Old Excel files (xls, BIFF) read in a child process with a memory and CPU ceiling.

calamine turns a sheet into one dense grid from its first to its last cell: a 6 KB xls with one cell at A1 and one
at IV65536 asks it for a gigabyte. Unlike xlsx and ods (measured from their XML by ``tabular_guard``), the
cells of an xls sit in binary records of several kinds inside an OLE container, so instead of a second parser
that could miss a record kind, calamine runs in a child process under ``RLIMIT_AS`` and ``RLIMIT_CPU``: a bomb
kills the child, not the web worker. The child refuses a grid over ``MAX_GRID_CELLS`` before writing a row,
and sends the rows back as JSON lines (typed values tagged; never pickle, which the parent would execute).
"""

import datetime
import json
import logging
import os
import subprocess
import sys

from django.conf import settings

from .tabular_guard import MAX_GRID_CELLS, MB, not_spreadsheet, suspicious

log = logging.getLogger(__name__)

UNREADABLE, TOO_LARGE = 2, 3  # the child's exit codes besides 0

# Runs with ``python -I``: no Django, no project code, only calamine from the same environment.
CHILD = r"""
import datetime, io, json, resource, sys

memory, cpu, max_cells, max_out = (int(a) for a in sys.argv[1:5])
for limit, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu)):
    hard = resource.getrlimit(limit)[1]
    resource.setrlimit(limit, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))
data = sys.stdin.buffer.read()
from python_calamine import CalamineWorkbook
try:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
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
out, written = sys.stdout, 0
for cells in sheet.iter_rows():
    line = json.dumps([*pad, *(typed(c) for c in cells)], ensure_ascii=False) + "\n"
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


def read_xls(data: bytes, *, max_in_memory: int) -> list[list]:
    """The first sheet's rows (line 1 first; the columns left of the first value kept as ""), as calamine types
    them. A file that would need more memory, CPU or output than an honest roster is refused as a bomb."""
    memory = int(getattr(settings, "IMPORT_XLS_MEMORY_MB", 768) * MB)
    cpu = int(getattr(settings, "IMPORT_XLS_CPU_SECONDS", 60))
    # The rows as text: a few times the file (a 6-byte MULRK number becomes up to 24 characters), never more.
    max_out = 4 * max_in_memory
    try:
        # Our own interpreter and code, numbers as arguments; the untrusted file goes to stdin only.
        done = subprocess.run([sys.executable, "-I", "-c", CHILD, str(memory), str(cpu), str(MAX_GRID_CELLS),  # noqa: S603
                               str(max_out)], input=data, capture_output=True, timeout=cpu * 2, check=False,
                              env={**os.environ, "RUST_BACKTRACE": "0"})  # a refused bomb logs one line
    except subprocess.TimeoutExpired as exc:
        log.warning("xls reader timed out")
        raise suspicious() from exc
    if done.returncode == UNREADABLE:
        log.info("unreadable xls: %s", done.stderr[:500].decode(errors="replace"))
        raise not_spreadsheet()
    if done.returncode != 0:
        # Killed by its limits (a signal, an abort on a failed allocation, MemoryError) or refused by them.
        log.warning("xls reader refused the file: exit %s %s", done.returncode, done.stderr[:300])
        raise suspicious()
    # Split on the newline only: JSON escapes it inside strings, but not U+2028 and the like.
    return [[_value(v) for v in json.loads(line)] for line in done.stdout.split(b"\n") if line]
