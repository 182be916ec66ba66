"""Old Excel files (xls) are read by calamine in a child process with a memory and CPU ceiling (``xls_reader``):
an honest file reads as before, a small file whose cells sit at opposite corners is refused as a bomb."""

import datetime
import io
import sys
import time
import tracemalloc

import pytest
import xlwt
from django.utils import translation
from python_calamine import CalamineWorkbook

from gonghui.core import tabular, tabular_guard, xls_reader

BOMB_MESSAGE = "压缩炸弹"  # the bomb family's message ("a compressed \"bomb\" or a damaged file")


def xls(cells: dict[tuple[int, int], object]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for (row, col), value in cells.items():
        if isinstance(value, datetime.date):
            sheet.write(row, col, value, dates)
        else:
            sheet.write(row, col, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def corners(last_row: int, last_col: int) -> bytes:
    return xls({(0, 0): "姓名", (last_row, last_col): "尾"})


def test_an_honest_xls_reads_as_calamine_reads_it_in_process():
    data = xls({(1, 1): "姓名", (1, 2): "入会日期", (1, 3): "人数",
                (2, 1): "张三\u2028李四", (2, 2): datetime.date(2021, 3, 5), (2, 3): 12,
                (3, 1): "王五", (3, 3): 1.5})
    table = tabular.open_table(data, "名单.xls")
    assert not table.streamed
    expected = [list(r) for r in CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).iter_rows()]
    got = [cells for _line, cells in table.rows()]
    # calamine's rows start at the first column holding a value; the table keeps column A (line numbers as shown).
    assert got == [["", *row] for row in expected]
    assert got[0] == ["", "", "", ""] and got[2][1:] == ["张三\u2028李四", datetime.date(2021, 3, 5), 12.0]
    assert [line for line, _cells in table.rows(3)] == [3, 4] and table.count_rows() == 4


def test_a_small_xls_with_cells_at_opposite_corners_is_refused_as_a_bomb():
    data = corners(65535, 255)  # about 6 KB; calamine would build a grid of 16.7 million cells (about 1 GB)
    assert len(data) < 10_000
    with translation.override("zh-hans"), pytest.raises(tabular.TableFileError) as exc:
        tabular.count_rows(data, "r.xls", kind="members.roster")
    assert exc.value.code == "suspicious" and BOMB_MESSAGE in exc.value.messages[0]


def test_the_memory_ceiling_refuses_what_the_grid_bound_lets_through(settings):
    settings.IMPORT_XLS_MEMORY_MB = 100
    assert len(list(tabular.open_table(corners(10, 10), "r.xls").rows())) == 11  # well under the ceiling
    big = corners(59_999, 59)  # 3.6 million cells: under MAX_GRID_CELLS, over 100 MB in calamine
    assert 60_000 * 60 < xls_reader.MAX_GRID_CELLS
    with pytest.raises(tabular.TableFileError) as exc:
        tabular.open_table(big, "r.xls")
    assert exc.value.code == "suspicious"


def test_a_damaged_xls_is_not_a_spreadsheet_and_a_stuck_reader_is_refused(monkeypatch, settings):
    damaged = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes((i * 37 + 11) % 251 for i in range(4000))
    with translation.override("zh-hans"), pytest.raises(tabular.TableFileError) as exc:
        tabular.open_table(damaged, "r.xls")
    assert exc.value.code == "unreadable" and "不是" in exc.value.messages[0]

    # A child stuck before reading its input (the file is larger than a pipe holds) is killed at the deadline.
    settings.IMPORT_XLS_CPU_SECONDS = 1
    monkeypatch.setattr(xls_reader, "CHILD", "import time; time.sleep(60)")
    started = time.monotonic()
    with pytest.raises(tabular.TableFileError) as exc:
        tabular.open_table(corners(3, 3) + b"\0" * 200_000, "r.xls")
    assert exc.value.code == "suspicious" and time.monotonic() - started < 30


def test_a_small_xls_repeating_one_long_shared_string_is_refused_with_bounded_memory():
    # 3,000 cells pointing at one 30,000-character shared string: about 120 KB of file, 90 MB of rows.
    data = xls({(row, col): "x" * 30_000 for row in range(300) for col in range(10)})
    assert len(data) < 200_000
    assert 3_000 * 30_000 > xls_reader.output_cap(len(data), tabular.limits().max_in_memory)
    tracemalloc.start()
    started = time.monotonic()
    try:
        with translation.override("zh-hans"), pytest.raises(tabular.TableFileError) as exc:
            tabular.open_table(data, "r.xls")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert exc.value.code == "suspicious" and BOMB_MESSAGE in exc.value.messages[0]
    # The parent held at most the cap (32 MB) and a chunk, never the rows nor their strings.
    assert peak < 48 * tabular_guard.MB
    assert time.monotonic() - started < 60


def test_the_parent_kills_a_child_writing_past_the_cap():
    flood = [sys.executable, "-I", "-c", "import sys\nwhile True: sys.stdout.buffer.write(b'x' * 65536)"]
    started = time.monotonic()
    with pytest.raises(tabular.TableFileError) as exc:
        xls_reader._run(flood, b"", 1_000_000, deadline=time.monotonic() + 60)
    assert exc.value.code == "suspicious" and time.monotonic() - started < 30


def test_an_xls_cell_longer_than_max_cell_is_refused(settings):
    settings.IMPORT_MAX_CELL_CHARS = 100
    ok = xls({(0, 0): "姓名", (1, 0): "长" * 100})
    assert [cells for _line, cells in tabular.open_table(ok, "r.xls").rows()][1] == ["长" * 100]
    with translation.override("zh-hans"), pytest.raises(tabular.TableFileError) as exc:
        tabular.open_table(xls({(0, 0): "姓名", (1, 0): "长" * 101}), "r.xls")
    assert exc.value.code == "cell_too_long" and "100" in exc.value.messages[0] and "字符" in exc.value.messages[0]
