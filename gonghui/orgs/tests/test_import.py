"""Importing an organization tree from a spreadsheet: all or nothing, with an error report."""

import csv
import datetime
import io

import pytest
import xlsxwriter
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from gonghui.core.access import actor_for
from gonghui.core.identity import uscc_check_char
from gonghui.core.models import AuditEvent, Grant, Outcome, SecurityPolicy
from gonghui.orgs import importer, services, sheets
from gonghui.orgs.models import Kind, Level, Org

HEADER = ["编码", "上级编码", "名称", "层级", "类型"]


def uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


def xlsx(rows: list[list]) -> bytes:
    """An xlsx file holding exactly these cells (numbers stay numbers, dates stay dates)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_format)
            elif value not in (None, ""):
                sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def read_back(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in their English source form; zh-hans is the deployment's default.
    with translation.override("en"):
        yield


def add(parent: Org | None, code: str, name: str, level: str, kind: str = Kind.FEDERATION, **fields) -> Org:
    org = Org(code=code, name=name, level=level, kind=kind, **fields)
    if parent is None:
        return Org.objects.add_root(instance=org)
    return Org.objects.add_child(parent, instance=org)


@pytest.fixture
def tree(db):
    SecurityPolicy.objects.create(pk=1, require_second_factor=False)  # force_login users have no second factor
    city = add(None, "C001", "某市总工会", Level.CITY)
    county_a = add(city, "A100", "甲县总工会", Level.COUNTY)
    county_b = add(city, "B100", "乙县总工会", Level.COUNTY)
    township = add(county_a, "A110", "城关镇总工会", Level.TOWNSHIP)
    union_a = add(township, "A111", "甲县机械厂工会", Level.GRASSROOTS, Kind.ENTERPRISE, employee_count=80,
                  contact_phone="13912345678")
    union_b = add(county_b, "B201", "乙县纺织厂工会", Level.GRASSROOTS, Kind.ENTERPRISE,
                  uscc=uscc("91330100MA2H0000B"))
    return {"city": city, "a": county_a, "b": county_b, "township": township, "union_a": union_a,
            "union_b": union_b}


def tree_is_sound() -> bool:
    return not any(Org.objects.find_problems())


def parent_of(org: Org) -> Org:
    return Org.objects.get_parent(org)


def make_user(username: str, role: str, org: Org):
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-123")
    Grant.objects.create(user=user, role=role, org=org)
    return user


@pytest.fixture
def staff_a(tree):
    return make_user("staff_a", "federation_staff", tree["a"])


@pytest.fixture
def actor_a(staff_a):
    return actor_for(staff_a)


@pytest.fixture
def actor_b(tree):
    return actor_for(make_user("staff_b", "federation_staff", tree["b"]))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def problems_by_row(result) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for p in result.problems:
        out.setdefault(p.row, []).append((p.column, p.message))
    return out


# --- the importer ------------------------------------------------------------------------------------


def test_good_file_creates_subtree_with_parents_referenced_in_reverse_order(tree, actor_a):
    before = AuditEvent.objects.count()
    data = xlsx([
        [*HEADER, "成立日期"],
        ["G001", "B001", "装配车间第一小组", "小组", "企业", ""],
        ["B001", "U001", "装配车间分会", "分会", "企业", ""],
        ["U001", "A110", "城关镇五金厂工会", "基层工会", "企业", datetime.date(2020, 5, 4)],
    ])
    result = importer.org_import(actor=actor_a, data=data, filename="units.xlsx")
    assert result.problems == []
    assert (result.total, result.created, result.updated, result.committed) == (3, 3, 0, True)
    union, branch, group = (Org.objects.get(code=c) for c in ("U001", "B001", "G001"))
    assert parent_of(union).code == "A110"
    assert parent_of(branch).code == "U001"
    assert parent_of(group).code == "B001"
    assert (union.level, branch.level, group.level) == (Level.GRASSROOTS, Level.BRANCH, Level.GROUP)
    assert union.founded_on == datetime.date(2020, 5, 4)
    events = AuditEvent.objects.order_by("seq")[before:]
    assert [e.action for e in events].count("org.create") == 3
    summary = AuditEvent.objects.get(action="org.import")
    assert summary.details == {"file": "units.xlsx", "rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert summary.actor_name == "staff_a"
    assert tree_is_sound()
    assert Org.objects.get(code="A110").numchild == 2
    assert (union.numchild, branch.numchild, group.numchild) == (1, 1, 0)


def test_title_row_synonyms_and_fullwidth_characters(tree, actor_a):
    data = csv_bytes([
        ["甲县2025年基层工会名单"],
        [],
        ["单位编码", "上级单位编码", "工会名称", "级别", "单位类型", "所有制", "信用代码", "职工数（人）",
         "女职工委员会", "手机"],
        ["ｕ００２", "Ａ１１０", "  城关镇（集团）有限公司工会  ", "基层工会", "企业", "非公",
         uscc("91330100MA2H0001C").translate(str.maketrans("0123456789ABCDEFGHJKLMNPQRTUWXY",
                                                           "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ")),
         "１，２００", "是", "１３８ ０００ ０１２３４"],
        ["U003", "u002", "分会甲", "工会分会", "企业", "", "", "", "否", ""],
    ])
    result = importer.org_import(actor=actor_a, data=data, filename="名单.csv")
    assert result.problems == []
    assert result.header_row == 3
    assert [c.key for c in result.columns] == [
        "code", "parent_code", "name", "level", "kind", "ownership", "uscc", "employee_count",
        "has_women_committee", "contact_phone"]
    org = Org.objects.get(code="U002")
    assert org.name == "城关镇（集团）有限公司工会"  # names keep their full-width brackets
    assert org.uscc == uscc("91330100MA2H0001C")
    assert (org.employee_count, org.has_women_committee, org.ownership) == (1200, True, "non_public")
    assert org.contact_phone == "13800001234"
    assert org.contact_phone_bidx  # the blind index is written with the encrypted phone
    assert Org.objects.filter(contact_phone_bidx=org.contact_phone_bidx).count() == 1
    assert parent_of(Org.objects.get(code="U003")).code == "U002"


def test_gbk_csv_and_english_keys(tree, actor_a):
    data = csv_bytes([["code", "parent_code", "name", "level", "kind"],
                      ["U010", "A110", "城关镇学校工会", "grassroots", "school"]], encoding="gb18030")
    result = importer.org_import(actor=actor_a, data=data, filename="x.csv")
    assert result.ok, result.problems
    assert Org.objects.get(code="U010").kind == Kind.SCHOOL


def test_dates_from_excel_serials_and_chinese_text(tree, actor_a):
    data = xlsx([
        [*HEADER, "成立日期", "届满日期", "法人资格登记", "登记日期", "证书编号"],
        ["U020", "A110", "甲", "基层工会", "企业", 44260, "2026年3月4日", "是", "2021.4.1", "工法证字第1号"],
        ["U021", "A110", "乙", "基层工会", "企业", "20190102", 46085.0, "否", "", ""],
    ])
    result = importer.org_import(actor=actor_a, data=data, filename="d.xlsx")
    assert result.ok, result.problems
    first, second = Org.objects.get(code="U020"), Org.objects.get(code="U021")
    assert first.founded_on == datetime.date(2021, 3, 5)
    assert first.term_ends_on == datetime.date(2026, 3, 4)
    assert first.legal_person_registered
    assert first.legal_person_registered_on == datetime.date(2021, 4, 1)
    assert second.founded_on == datetime.date(2019, 1, 2)
    assert second.term_ends_on == datetime.date(2026, 3, 4)


def test_bad_rows_refuse_the_whole_file_and_name_each_row(tree, actor_a):
    orgs_before, events_before = Org.objects.count(), AuditEvent.objects.count()
    good_uscc = uscc("91330100MA2H0002D")
    bad_uscc = good_uscc[:-1] + ("0" if good_uscc[-1] != "0" else "1")
    data = xlsx([
        ["工会组织导入表"],
        [*HEADER, "统一社会信用代码"],
        ["U100", "A110", "好的一行", "基层工会", "企业", good_uscc],  # row 3: fine on its own
        ["U101", "A110", "信用代码错", "基层工会", "企业", bad_uscc],  # row 4
        ["U102", "A110", "层级不认识", "大工会", "企业", ""],  # row 5
        ["U103", "A110", "镇下不能直接设分会", "分会", "企业", ""],  # row 6
        ["U104", "A110", "重复一", "基层工会", "企业", ""],  # row 7
        ["U104", "A110", "重复二", "基层工会", "企业", ""],  # row 8
        ["U105", "X999", "上级不存在", "基层工会", "企业", ""],  # row 9
        ["B201", "A110", "编码被别的县用了", "基层工会", "企业", ""],  # row 10
    ])
    result = importer.org_import(actor=actor_a, data=data, filename="bad.xlsx")
    assert not result.committed
    assert Org.objects.count() == orgs_before
    by_row = problems_by_row(result)
    assert set(by_row) == {4, 5, 6, 7, 8, 9, 10}
    assert by_row[4] == [("统一社会信用代码",
                          "The check character of the unified social credit code is wrong.")]
    assert by_row[5][0][0] == "层级" and "大工会" in by_row[5][0][1]
    assert by_row[6] == [("层级", "A Branch union cannot be placed under a Township or street federation.")]
    duplicate = ("编码", "The code U104 appears more than once in the file (rows 7, 8).")
    assert by_row[7] == by_row[8] == [duplicate]
    assert by_row[9] == [("上级编码", "No union with the code X999 is in your unit's tree or in this file.")]
    assert by_row[10] == [("编码", "The code B201 is already used by another union; choose another code.")]
    # Where the code is used stays hidden: neither the other county nor its union is named.
    assert "乙县" not in str(result.problems) and "B100" not in str(result.problems)
    assert [p.value for p in result.problems if p.row == 5] == ["大工会"]
    # Only the refusal is recorded: no org events survive the rollback.
    new_events = list(AuditEvent.objects.order_by("seq")[events_before:])
    assert [(e.action, e.outcome) for e in new_events] == [("org.import", Outcome.FAILED)]


def test_more_bad_rows_loop_missing_cells_and_dates(tree, actor_a):
    data = xlsx([
        [*HEADER, "成立日期", "职工人数"],
        ["L001", "L002", "环一", "基层工会", "企业", "", ""],
        ["L002", "L001", "环二", "基层工会", "企业", "", ""],
        ["U200", "A110", "", "基层工会", "", "2021-13-40", "十二"],
        ["U201", "A110", "未来成立", "基层工会", "企业", datetime.date.today() + datetime.timedelta(9), 5],
        ["U202", "", "缺上级", "基层工会", "企业", "", ""],
    ])
    result = importer.org_import(actor=actor_a, data=data, filename="bad.xlsx")
    by_row = problems_by_row(result)
    loop = ("上级编码", "The parent codes of rows 2, 3 lead back to each other in a loop.")
    assert loop in by_row[2] and loop in by_row[3]
    assert {c for c, _m in by_row[4]} == {"名称", "类型", "成立日期", "职工人数"}
    assert by_row[5] == [("成立日期", "The founding date cannot be in the future.")]
    assert by_row[6] == [("上级编码", "上级编码 is required for a new union.")]
    assert not Org.objects.filter(code__in=["L001", "L002", "U200", "U201", "U202"]).exists()


def test_child_of_a_refused_row_is_still_checked(tree, actor_a):
    data = xlsx([
        HEADER,
        ["U300", "A110", "上级行有错", "基层工会", "乱写", ""],
        ["U301", "U300", "小组放在基层工会下可以", "小组", "企业"],
        ["U302", "U300", "市总工会不能放在基层下", "市总工会", "总工会"],
    ])
    result = importer.org_import(actor=actor_a, data=data, filename="x.xlsx")
    by_row = problems_by_row(result)
    assert set(by_row) == {2, 4}
    assert by_row[4] == [("层级", "A City federation cannot be placed under a Grassroots union.")]


def test_missing_columns_and_unreadable_files(tree, actor_a):
    result = importer.org_import(actor=actor_a, data=csv_bytes([["名称", "层级"], ["x", "基层工会"]]),
                                 filename="x.csv")
    assert [(p.row, p.column) for p in result.problems] == [(1, "编码"), (1, "上级编码")]
    with pytest.raises(importer.ImportFileError):
        importer.org_import(actor=actor_a, data=b"PK\x03\x04 not really a zip", filename="x.xlsx")
    with pytest.raises(importer.ImportFileError):
        importer.org_import(actor=actor_a, data=csv_bytes([["a", "b"], ["c", "d"]]), filename="x.csv")
    with pytest.raises(importer.ImportFileError):
        importer.org_import(actor=actor_a, data=b"", filename="x.csv")


def test_existing_code_updates_that_union(tree, actor_a):
    data = xlsx([
        [*HEADER, "职工人数", "联系人", "联系电话"],
        ["A111", "A110", "甲县机械厂工会委员会", "基层工会", "", 95, "李四", ""],
        ["A110", "", "", "", "", "", "王五", ""],  # the parent may be left empty: it stays
    ])
    result = importer.org_import(actor=actor_a, data=data, filename="u.xlsx")
    assert result.ok, result.problems
    assert (result.created, result.updated) == (0, 2)
    org = Org.objects.get(code="A111")
    assert (org.name, org.employee_count, org.contact_name) == ("甲县机械厂工会委员会", 95, "李四")
    assert org.contact_phone == "13912345678"  # an empty cell keeps the value
    assert parent_of(org).code == "A110"
    assert Org.objects.get(code="A110").contact_name == "王五"
    assert AuditEvent.objects.filter(action="org.update").count() == 2


def test_update_cannot_move_or_change_level(tree, actor_a):
    data = xlsx([HEADER, ["A111", "A100", "甲县机械厂工会", "分会", "企业"]])
    result = importer.org_import(actor=actor_a, data=data, filename="u.xlsx")
    messages = dict(problems_by_row(result)[2])
    assert "Move" in messages["上级编码"]
    assert "cannot be changed" in messages["层级"]
    assert parent_of(Org.objects.get(code="A111")).code == "A110"


def test_dry_run_writes_nothing(tree, actor_a):
    data = xlsx([HEADER, ["U400", "A110", "试运行", "基层工会", "企业"]])
    result = importer.org_import(actor=actor_a, data=data, filename="x.xlsx", dry_run=True)
    assert result.ok and result.created == 1 and not result.committed
    assert not Org.objects.filter(code="U400").exists()
    assert not AuditEvent.objects.filter(action__startswith="org.").exists()


def test_problems_report_is_readable_with_the_problem_column(tree, actor_a):
    rows = [["名单"], HEADER, ["U500", "A110", "好", "基层工会", "企业"], [],
            ["U501", "X1", "坏", "基层工会", "企业"]]
    data = xlsx(rows)
    result = importer.org_import(actor=actor_a, data=data, filename="x.xlsx")
    content = sheets.problems_report(result, importer.read_sheet(data, "x.xlsx"))
    sheet = read_back(content)
    assert sheet[0][:2] == ["行号", "问题"]
    assert sheet[0][2:7] == HEADER
    assert [r[0] for r in sheet[1:]] == [3.0, 5.0]
    assert sheet[1][1] == ""
    assert sheet[2][1] == "上级编码：No union with the code X1 is in your unit's tree or in this file."
    assert sheet[2][2:4] == ["U501", "X1"]


def test_other_county_cannot_see_or_use_county_a(tree, actor_b):
    data = xlsx([HEADER, ["U600", "A110", "跨县", "基层工会", "企业"],
                 ["A111", "B100", "改名", "基层工会", "企业"]])
    result = importer.org_import(actor=actor_b, data=data, filename="x.xlsx")
    by_row = problems_by_row(result)
    assert by_row[2] == [("上级编码", "No union with the code A110 is in your unit's tree or in this file.")]
    assert by_row[3] == [("编码", "The code A111 is already used by another union; choose another code.")]
    assert Org.objects.get(code="A111").name == "甲县机械厂工会"


def test_union_officer_cannot_import(tree):
    officer = actor_for(make_user("officer", "union_officer", tree["a"]))
    with pytest.raises(PermissionDenied):
        importer.org_import(actor=officer, data=xlsx([HEADER]), filename="x.xlsx")


def test_export_then_import_round_trips(tree, actor_a):
    services.org_update(actor=actor_a, org=tree["township"], founded_on=datetime.date(2001, 7, 1),
                        legal_person_registered=True, legal_person_cert_no="工法证字第9号",
                        has_women_committee=True)
    content = sheets.export_xlsx(actor=actor_a)
    sheet = read_back(content)
    assert sheet[0] == [c.header for c in importer.COLUMNS]
    assert [r[0] for r in sheet[1:]] == ["A100", "A110", "A111"]
    assert sheet[1][1] == ""  # the top of the scope: its parent is outside it
    assert sheet[3][1] == "A110" and sheet[3][3] == "基层工会"
    assert "139****5678" in sheet[3]  # phones are masked by default
    assert AuditEvent.objects.filter(action="export", details__masked=True).exists()
    from django.utils.translation import gettext
    from python_calamine import CalamineWorkbook

    # A named sheet, in the language the export ran in (工会名册 in Chinese).
    assert CalamineWorkbook.from_filelike(io.BytesIO(content)).sheet_names == [gettext("Union list")]

    result = importer.org_import(actor=actor_a, data=content, filename="export.xlsx")
    assert result.ok, result.problems
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert Org.objects.get(code="A111").contact_phone == "13912345678"

    # The same file, edited, updates; a new row below an exported one is added.
    edited = [list(r) for r in sheet]
    edited[3][2] = "甲县机械厂工会（改）"
    edited.append(["A112", "A110", "新厂工会", "基层工会", "企业"])
    result = importer.org_import(actor=actor_a, data=xlsx(edited), filename="edited.xlsx")
    assert result.ok, result.problems
    assert (result.created, result.updated, result.unchanged) == (1, 1, 2)
    assert Org.objects.get(code="A111").name == "甲县机械厂工会（改）"


def test_masked_phone_that_does_not_match_is_refused(tree, actor_a):
    data = xlsx([[*HEADER, "联系电话"], ["A111", "A110", "甲县机械厂工会", "基层工会", "企业", "138****0000"],
                 ["U700", "A110", "新", "基层工会", "企业", "139****5678"]])
    by_row = problems_by_row(importer.org_import(actor=actor_a, data=data, filename="x.xlsx"))
    assert [c for c, _m in by_row[2]] == ["联系电话"]
    assert [c for c, _m in by_row[3]] == ["联系电话"]


def test_template_imports_cleanly(tree, actor_a):
    content = sheets.template_xlsx(parent_code="A110")
    sheet = read_back(content)
    assert sheet[0] == [c.header for c in importer.COLUMNS]
    assert len(sheet) == 3
    result = importer.org_import(actor=actor_a, data=content, filename="t.xlsx", dry_run=True)
    assert result.ok, result.problems
    assert result.created == 2


def test_many_rows(tree, actor_a):
    rows = [HEADER]
    for i in range(300):
        rows.append([f"N{i:04d}", "A110", f"工会{i}", "基层工会", "企业"])
        rows.append([f"M{i:04d}", f"N{i:04d}", f"分会{i}", "分会", "企业"])
    result = importer.org_import(actor=actor_a, data=xlsx(rows), filename="many.xlsx")
    assert result.ok and result.created == 600
    assert parent_of(Org.objects.get(code="M0299")).code == "N0299"
    assert AuditEvent.objects.filter(action="org.create").count() == 600
    assert tree_is_sound()
    # The service numbers the next child after the imported ones.
    township = Org.objects.get(code="A110")
    assert township.numchild == 301
    later = services.org_create(actor=actor_a, parent=township, name="后加", level=Level.GRASSROOTS,
                                kind=Kind.ENTERPRISE, code="LATER")
    assert later.path > Org.objects.get(code="N0299").path
    assert tree_is_sound()


# --- the screens ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(reverse("orgs:import"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_union_officer_gets_403(client, tree):
    client.force_login(make_user("officer", "union_officer", tree["a"]))
    assert client.get(reverse("orgs:import")).status_code == 403
    assert client.get(reverse("orgs:import_template")).status_code == 403


def test_upload_preview_confirm(client, staff_a, media):
    client.force_login(staff_a)
    page = client.get(reverse("orgs:import"))
    assert page.status_code == 200
    assert reverse("orgs:import_template") in page.content.decode()

    template = client.get(reverse("orgs:import_template"))
    assert template.status_code == 200
    assert read_back(template.content)[1][1] == "A100"

    data = xlsx([["名单"], HEADER, ["U800", "A110", "新工会", "基层工会", "企业"],
                 ["U801", "U800", "新分会", "分会", "企业"]])
    upload = io.BytesIO(data)
    upload.name = "list.xlsx"
    preview = client.post(reverse("orgs:import"), {"file": upload})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert 'id="import-confirm"' in body and "新分会" in body
    assert preview.context["result"].header_row == 2
    token = preview.context["token"]
    stored = media / "imports" / f"{token}.bin"
    assert stored.read_bytes() == data
    assert not Org.objects.filter(code="U800").exists()

    done = client.post(reverse("orgs:import"), {"token": token, "action": "confirm"})
    assert done.status_code == 302
    assert parent_of(Org.objects.get(code="U801")).code == "U800"
    assert not stored.exists()
    assert token not in client.session.get("orgs_imports", {})
    # Confirming twice does nothing more.
    again = client.post(reverse("orgs:import"), {"token": token, "action": "confirm"})
    assert again.status_code == 302 and Org.objects.filter(code__startswith="U80").count() == 2


def test_upload_with_problems_offers_the_report_not_the_confirm(client, staff_a, media):
    client.force_login(staff_a)
    upload = io.BytesIO(xlsx([HEADER, ["U900", "NOPE", "新工会", "基层工会", "企业"]]))
    upload.name = "bad.xlsx"
    preview = client.post(reverse("orgs:import"), {"file": upload})
    body = preview.content.decode()
    assert 'id="import-confirm"' not in body and 'id="import-report"' in body
    assert "NOPE" in body
    token = preview.context["token"]
    report = client.get(reverse("orgs:import"), {"report": token})
    assert report.status_code == 200
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = read_back(report.content)
    assert sheet[0][1] == "问题" and "NOPE" in sheet[1][1]
    # A forced confirmation is refused too.
    refused = client.post(reverse("orgs:import"), {"token": token, "action": "confirm"})
    assert refused.status_code == 422 and not Org.objects.filter(code="U900").exists()
    client.post(reverse("orgs:import"), {"token": token, "action": "cancel"})
    assert not (media / "imports" / f"{token}.bin").exists()


def test_token_of_another_user_is_not_accepted(client, staff_a, tree, media):
    client.force_login(staff_a)
    upload = io.BytesIO(xlsx([HEADER, ["U950", "A110", "新工会", "基层工会", "企业"]]))
    upload.name = "x.xlsx"
    token = client.post(reverse("orgs:import"), {"file": upload}).context["token"]
    other = client.__class__()
    other.force_login(make_user("staff_a2", "federation_staff", tree["a"]))
    assert other.post(reverse("orgs:import"), {"token": token, "action": "confirm"}).status_code == 302
    assert other.get(reverse("orgs:import"), {"report": token}).status_code == 302
    assert not Org.objects.filter(code="U950").exists()


def test_unreadable_upload_shows_a_form_error(client, staff_a, media):
    client.force_login(staff_a)
    upload = io.BytesIO(b"PK\x03\x04garbage")
    upload.name = "x.xlsx"
    response = client.post(reverse("orgs:import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    wrong = io.BytesIO(b"hello")
    wrong.name = "x.pdf"
    assert client.post(reverse("orgs:import"), {"file": wrong}).context["form"].errors["file"]


# --- the command ------------------------------------------------------------------------------------


def test_command_imports_and_exit_codes(tree, staff_a, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([HEADER, ["U960", "A110", "命令行导入", "基层工会", "企业"]]))
    call_command("orgs", "import", str(good), "--as", "staff_a", "--dry-run", stdout=io.StringIO())
    assert not Org.objects.filter(code="U960").exists()
    out = io.StringIO()
    call_command("orgs", "import", str(good), "--as", "staff_a", stdout=out)
    assert Org.objects.filter(code="U960").exists()

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([HEADER, ["U961", "NOPE", "坏", "基层工会", "企业"]]))
    report = tmp_path / "report.xlsx"
    with pytest.raises(CommandError) as refused:
        call_command("orgs", "import", str(bad), "--as", "staff_a", "--report", str(report),
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert refused.value.returncode == 1
    assert read_back(report.read_bytes())[0][:2] == ["行号", "问题"]

    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04junk")
    for args in ([str(junk), "--as", "staff_a"], [str(tmp_path / "missing.xlsx"), "--as", "staff_a"],
                 [str(good), "--as", "nobody"]):
        with pytest.raises(CommandError) as unusable:
            call_command("orgs", "import", *args, stdout=io.StringIO())
        assert unusable.value.returncode == 2


def test_command_exit_codes_from_the_shell(tree, staff_a, tmp_path, monkeypatch):
    from django.core.management import ManagementUtility

    # run_from_argv closes every connection on the way out, which would end the test's own transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([HEADER, ["U970", "NOPE", "坏", "基层工会", "企业"]]))
    with pytest.raises(SystemExit) as refused:
        ManagementUtility(["gonghui", "orgs", "import", str(bad), "--as", "staff_a"]).execute()
    assert refused.value.code == 1
    missing = str(tmp_path / "none.csv")
    with pytest.raises(SystemExit) as unusable:
        ManagementUtility(["gonghui", "orgs", "import", missing, "--as", "staff_a"]).execute()
    assert unusable.value.code == 2


def test_command_export_round_trip(tree, staff_a, tmp_path):
    out = tmp_path / "tree.xlsx"
    call_command("orgs", "export", "--as", "staff_a", str(out), stdout=io.StringIO())
    assert [r[0] for r in read_back(out.read_bytes())[1:]] == ["A100", "A110", "A111"]
    stdout = io.StringIO()
    call_command("orgs", "import", str(out), "--as", "staff_a", stdout=stdout)
    assert "3" in stdout.getvalue()
    assert AuditEvent.objects.filter(action="org.import", outcome=Outcome.SUCCESS).count() == 1


def test_empty_code_gets_one_assigned_and_dissolved_parent_is_refused(tree, actor_a):
    data = xlsx([HEADER, ["", "A110", "没有编码的工会", "基层工会", "企业"]])
    assert importer.org_import(actor=actor_a, data=data, filename="x.xlsx").committed
    org = Org.objects.get(name="没有编码的工会")
    assert org.code.startswith("U") and len(org.code) == 8
    services.org_dissolve(actor=actor_a, org=Org.objects.get(code="A111"),
                          dissolved_on=datetime.date(2024, 1, 1), reason="企业注销")
    data = xlsx([HEADER, ["U990", "A111", "撤销单位下的分会", "分会", "企业"],
                 ["A111", "A110", "改名", "基层工会", "企业"]])
    by_row = problems_by_row(importer.org_import(actor=actor_a, data=data, filename="x.xlsx"))
    assert by_row[2] == [("上级编码", "A dissolved union cannot receive new units.")]
    assert by_row[3] == [("", "A dissolved union cannot be edited.")]


def test_report_lists_file_problems_above_the_header(tree, actor_a):
    data = csv_bytes([["编码", "名称", "层级"], ["U1", "x", "基层工会"]])
    result = importer.org_import(actor=actor_a, data=data, filename="x.csv")
    sheet = read_back(sheets.problems_report(result, importer.read_sheet(data, "x.csv")))
    assert sheet[0][0] == "上级编码：The column 上级编码 is missing."
    assert sheet[1][:5] == ["行号", "问题", "编码", "名称", "层级"]


def test_command_refuses_a_user_without_the_import_permission(tree, tmp_path):
    make_user("officer", "union_officer", tree["a"])
    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes([HEADER, ["U991", "A110", "x", "基层工会", "企业"]]))
    with pytest.raises(CommandError) as refused:
        call_command("orgs", "import", str(path), "--as", "officer", stdout=io.StringIO())
    assert refused.value.returncode == 2
    assert not Org.objects.filter(code="U991").exists()
