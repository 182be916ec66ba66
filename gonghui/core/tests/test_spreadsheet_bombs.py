"""Spreadsheet bombs are refused fast and with bounded memory, whatever importer reads them (``tabular_guard``).

Each bomb is built here. Time and peak memory are measured in a fresh subprocess (``ru_maxrss`` before and after
the read), so that neither the test runner's own memory nor another test can blur them; the limits are generous
(a loaded 2-core machine), and the unguarded reader exceeded them by far (160 s and 1.3 GB for the first bomb).
"""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.utils import translation

from gonghui.core import tabular, tabular_guard

ROOT = Path(__file__).resolve().parents[3]
MAX_SECONDS = 5.0
MAX_EXTRA_MB = 150

_WORKBOOK = ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
             'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
             '</sheets></workbook>')
_RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
         'Target="worksheets/sheet1.xml"/></Relationships>')
HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>身份证号</t></is>'
          '</c><c r="C1" t="inlineStr"><is><t>单位代码</t></is></c><c r="D1" t="inlineStr"><is><t>单位名称</t></is>'
          '</c></row>').encode()


def bomb_xlsx(rows, *, shared=None) -> bytes:
    """An xlsx without <dimension>: ``rows`` yields chunks of <row> XML, ``shared`` the shared-strings part."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for chunk in rows:
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
        if shared is not None:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
                for chunk in shared:
                    f.write(chunk)
    return out.getvalue()


def same_rows(n: int):
    """``n`` identical rows without row numbers: the 370 KB file holding a million rows."""
    yield HEADER
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    for _ in range(n // 100_000):
        yield row * 100_000


def numbered_rows(n: int, first: int = 2):
    """``n`` rows of distinct cells: they deflate like real data (about 10 to 15 times)."""
    yield HEADER
    for start in range(first, first + n, 10_000):
        yield b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>N%d</t></is></c><c r="C%d" t="inlineStr"><is>'
                       b'<t>C%07d</t></is></c></row>' % (i, i, i, i, i)
                       for i in range(start, min(start + 10_000, first + n)))


def giant_string(mb: int):
    yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    for _ in range(mb):
        yield b"a" * (1024 * 1024)
    yield b"</t></si></sst>"


_MEASURE = r"""
import json, os, resource, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
import django
django.setup()
from django.core.exceptions import ValidationError
from django.utils import translation
from gonghui.core import tabular
from gonghui.orgs import importer
path, name, how = sys.argv[1:4]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
outcome = {"code": "", "message": "", "rows": 0}
with translation.override("zh-hans"):
    try:
        if how == "orgs":
            outcome["rows"] = len(importer.read_sheet(open(path, "rb").read(), name))
        else:  # as the member import does: the inline decision (rows counted by streaming), then every row
            table = tabular.open_table(path, name, kind="members.roster")
            outcome["counted"] = table.count_rows(limit=5000)
            if how == "read":
                for _line, _cells in table.rows():
                    outcome["rows"] += 1
    except ValidationError as exc:
        outcome["code"], outcome["message"] = exc.code, exc.messages[0]
outcome["seconds"] = time.perf_counter() - start
outcome["extra_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps(outcome, ensure_ascii=False))
"""


def measure(tmp_path, data: bytes, how: str, name: str = "bomb.xlsx") -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(path), name, how], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=300, check=True)
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["seconds"] < MAX_SECONDS, outcome
    assert outcome["extra_mb"] < MAX_EXTRA_MB, outcome
    return outcome


def test_a_million_rows_in_a_small_xlsx_without_dimension_is_refused_fast(tmp_path):
    data = bomb_xlsx(same_rows(1_000_000))
    assert len(data) < 1024 * 1024  # small enough to have passed for a small file
    outcome = measure(tmp_path, data, "read")
    assert outcome["code"] == "suspicious" and "压缩" in outcome["message"]


def test_rows_are_counted_by_streaming_not_taken_from_the_file(tmp_path):
    """A sheet that deflates like real data but holds 60,000 rows and no <dimension>: the count is the true one
    (so the web upload goes to the worker), found without parsing the rows."""
    data = bomb_xlsx(numbered_rows(60_000))
    outcome = measure(tmp_path, data, "count")
    assert outcome["code"] == "" and outcome["counted"] > 5000
    table = tabular.open_table(data, "r.xlsx")
    assert table.estimated_rows == 60_001 and table.count_rows(limit=100) < 60_001  # stops early


def test_a_giant_shared_string_is_refused_before_it_is_read(tmp_path):
    data = bomb_xlsx(iter([HEADER]), shared=giant_string(300))
    assert len(data) < 2 * 1024 * 1024
    outcome = measure(tmp_path, data, "read")
    assert outcome["code"] == "suspicious"


def test_a_long_shared_string_that_deflates_normally_is_refused_by_the_cell_cap(settings):
    settings.IMPORT_MAX_CELL_CHARS = 1000
    text = "".join(chr(0x4e00 + (i * 7919) % 20000) for i in range(5000)).encode()
    data = bomb_xlsx(iter([HEADER]), shared=iter([b"<sst><si><t>", text, b"</t></si></sst>"]))
    with pytest.raises(tabular.TableFileError) as exc:
        tabular.open_table(data, "r.xlsx")
    assert exc.value.code == "cell_too_long"


def test_a_high_compression_ratio_is_refused(tmp_path):
    blank = b"<row><c><v></v></c></row>" + b" " * 10_000_000
    data = bomb_xlsx(iter([HEADER, *[blank] * 20]))
    outcome = measure(tmp_path, data, "read")
    assert outcome["code"] == "suspicious"


def test_an_org_sheet_past_its_row_limit_is_refused_as_it_is_read(tmp_path):
    data = bomb_xlsx(numbered_rows(60_000))
    outcome = measure(tmp_path, data, "orgs")
    assert outcome["code"] == "too_many" and "20000" in outcome["message"]


def test_too_much_data_once_inflated_is_refused(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 1
    data = bomb_xlsx(numbered_rows(30_000))
    with pytest.raises(tabular.TableFileError) as exc:
        tabular.open_table(data, "r.xlsx")
    assert exc.value.code == "too_large"


def test_ods_is_read_whole_only_under_its_bound(settings):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x>" + "".join(f"<p>{i}</p>" for i in range(200_000)) + "</x>")
    settings.IMPORT_MAX_IN_MEMORY_MB = 1
    with pytest.raises(tabular.TableFileError) as exc:
        tabular.open_table(out.getvalue(), "r.ods")
    assert exc.value.code == "too_large"


@pytest.mark.parametrize("name", ["r.xlsx", "r.xls", "r.ods"])
def test_random_bytes_named_as_a_spreadsheet_are_not_a_spreadsheet(name):
    junk = bytes((i * 37 + 11) % 251 for i in range(4000))
    with translation.override("zh-hans"), pytest.raises(tabular.TableFileError) as exc:
        tabular.open_table(junk, name)
    assert exc.value.code == "unreadable"
    assert "不是" in exc.value.messages[0] and "detect" not in exc.value.messages[0].lower()
    assert "encod" not in exc.value.messages[0].lower()


def test_a_zip_that_lies_about_its_sizes_is_refused_when_read():
    good = bomb_xlsx(numbered_rows(100))
    # Shrink the declared size of the worksheet in the central directory: the reader stops there, the CRC fails.
    z = zipfile.ZipFile(io.BytesIO(good))
    info = z.getinfo("xl/worksheets/sheet1.xml")
    size = info.file_size.to_bytes(4, "little")
    at = good.rindex(b"xl/worksheets/sheet1.xml") - 46 + 24
    assert good[at:at + 4] == size
    lying = good[:at] + (100).to_bytes(4, "little") + good[at + 4:]
    with pytest.raises(tabular.TableFileError) as exc:
        list(tabular.open_table(lying, "r.xlsx").rows())
    assert exc.value.code == "unreadable"


def test_the_limits_come_from_the_settings_per_kind(settings):
    settings.IMPORT_LIMITS = {"orgs": {"max_upload_mb": 2, "max_rows": 7}}
    assert tabular_guard.limits("orgs").max_rows == 7
    assert tabular_guard.limits("orgs").max_upload == 2 * 1024 * 1024
    assert tabular_guard.limits("members.roster").max_rows == 0


_ODS = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        '<office:spreadsheet><table:table table:name="S">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell>'
        '</table:table-row>{rows}'
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row>'
        '</table:table></office:spreadsheet></office:body></office:document-content>')
_MANIFEST = ('<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:'
             'file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"'
             '/></manifest:manifest>')


def ods(rows: int, cols: int) -> bytes:
    row = (f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated='
           f'"{cols}" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", _ODS.format(rows=row))
        z.writestr("META-INF/manifest.xml", _MANIFEST)
    return out.getvalue()


def test_an_ods_repeating_one_cell_over_a_huge_grid_is_refused_before_calamine(tmp_path):
    """A 1 KB ods that made calamine ask for a gigabyte and abort the process."""
    data = ods(100_000, 1_000)
    assert len(data) < 2048
    assert measure(tmp_path, data, "read", name="bomb.ods")["code"] == "suspicious"


def test_an_ods_with_trailing_empty_repeated_rows_is_read():
    """LibreOffice pads a sheet with a million empty repeated rows: they hold no value and are not counted."""
    table = tabular.open_table(ods(3, 2), "r.ods")
    assert [cells for _line, cells in table.rows()][:2] == [["姓名", ""], ["x", "x"]]


def test_a_row_number_past_excels_last_row_is_refused():
    data = bomb_xlsx(iter([HEADER, b'<row r="99999999999"><c r="A99999999999"><v>1</v></c></row>']))
    with pytest.raises(tabular.TableFileError) as exc:
        list(tabular.open_table(data, "r.xlsx").rows())
    assert exc.value.code == "unreadable"


def test_a_column_reference_past_zzz_is_not_a_huge_row():
    data = bomb_xlsx(iter([HEADER, b'<row r="2"><c s="0" r="ZZZZZZZZ2"><v>1</v></c></row>']))
    rows = list(tabular.open_table(data, "r.xlsx").rows())
    assert len(rows[1][1]) < 10


def test_a_csv_line_of_millions_of_fields_is_refused(tmp_path):
    data = b"\xe5\xa7\x93\xe5\x90\x8d,id\n" + b"a," * 2_000_000 + b"\n"
    outcome = measure(tmp_path, data, "read", name="bomb.csv")
    assert outcome["code"] == "cell_too_long"


def _prefixed_xlsx(sheet_data: bytes) -> bytes:
    """An xlsx whose worksheet binds the spreadsheet namespace to the prefix ``x:`` (the streaming reader leaves
    such a file to calamine, so the grid check must measure it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _RELS)
        z.writestr("xl/worksheets/sheet1.xml", b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml'
                   b'/2006/main"><x:sheetData>' + sheet_data + b"</x:sheetData></x:worksheet>")
    return out.getvalue()


def test_a_namespace_prefixed_xlsx_is_measured_before_calamine(tmp_path):
    """A 1.5 KB xlsx with <x:c r="CV50000">: the grid check went by the prefix-less <c> and let calamine build
    five million cells (or abort the process at XFD1048576)."""
    data = _prefixed_xlsx(b'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c></x:row>'
                          b'<x:row r="50000"><x:c r="CV50000" t="inlineStr"><x:is><x:t>b</x:t></x:is></x:c></x:row>')
    assert len(data) < 2048
    assert measure(tmp_path, data, "read")["code"] == "suspicious"
    with zipfile.ZipFile(io.BytesIO(data)) as z, pytest.raises(tabular_guard.TableFileError):
        tabular_guard.check_grid(z)


def test_cells_without_references_are_placed_as_calamine_places_them():
    row = b"<x:row>" + b"<x:c><x:v>1</x:v></x:c>" * 3 + b"</x:row>"
    with zipfile.ZipFile(io.BytesIO(_prefixed_xlsx(row * 4))) as z:
        assert tabular_guard._xlsx_grid(z.read("xl/worksheets/sheet1.xml")) == (4, 3)
    data = _prefixed_xlsx(b"<x:row>" + b"<x:c><x:v>1</x:v></x:c>" * 3000 + b"</x:row>" * 1)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert tabular_guard._xlsx_grid(z.read("xl/worksheets/sheet1.xml")) == (1, 3000)


def test_a_namespace_prefixed_ods_is_measured_too():
    row = ('<table:table-row table:number-rows-repeated="100000"><table:table-cell table:number-columns-repeated='
           '"1000" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>')
    content = _ODS.format(rows=row).replace("table:", "t:").encode()  # the table namespace bound to t:
    assert tabular_guard._ods_grid(content) == (100_001, 1_000)
