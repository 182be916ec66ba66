"""The problem pages: list (filters, export), page (masked cadre, reveal, timeline, actions), forms with refusals
kept, import with its error report, settings of the lists and departments; refusals for the other county, a
grassroots officer and an anonymous visitor."""

import pytest

from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import read_rows, write_xlsx
from gonghui.oversight.models import Category, Problem, Source, Stage
from gonghui.oversight.testing_problems import departments, file_problem, second_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(cast):
    office, org_dept, _ = departments(cast.county_a)
    reviewer = second_reviewer(cast.county_a)
    p = file_problem(cast.grassroots_officer, cast.grassroots_a, concerns="cadre", cadre_name="李建国")
    return {"p": p, "office": office, "org_dept": org_dept, "reviewer": reviewer}


def test_list_and_page_scoped(cast, login, setup):
    p = setup["p"]
    client = login(cast.officer_a)
    body = client.get("/oversight/problems/").content.decode()
    assert p.number in body and "查摆" in body
    assert client.get("/oversight/problems/?stage=final").content.decode().count(p.number) == 0
    page = client.get(f"/oversight/problems/{p.pk}/").content.decode()
    assert "李**" in page and "李建国" not in page
    resp = client.post(f"/oversight/problems/{p.pk}/reveal/", {"reason": "核实身份"})
    assert "李建国" in resp.content.decode()
    assert AuditEvent.objects.filter(action="personal.reveal", object_type="oversight.problem").exists()
    # Another county: 404; the grassroots officer sees its own, not the county's; anonymous goes to log in.
    county = file_problem(cast.officer_a, cast.county_a)
    assert login(cast.officer_b).get(f"/oversight/problems/{p.pk}/").status_code == 404
    assert p.number not in login(cast.officer_b).get("/oversight/problems/").content.decode()
    gro = login(cast.grassroots_officer)
    assert gro.get(f"/oversight/problems/{county.pk}/").status_code == 404
    assert gro.get(f"/oversight/problems/{p.pk}/").status_code == 200
    client.logout()
    assert client.get("/oversight/problems/").status_code == 302


def test_export_is_masked(cast, login, setup):
    resp = login(cast.officer_a).get("/oversight/problems/?export=xlsx")
    assert resp.status_code == 200
    content = b"".join(resp.streaming_content) if resp.streaming else resp.content
    values = [c for row in read_rows(content, "x.xlsx") for c in row if c]
    assert setup["p"].number in values and "审核状态" in values
    assert not any("李建国" in str(v) for v in values) and any("李**" in str(v) for v in values)


def test_new_form_keeps_input_on_refusal_and_files(cast, login):
    client = login(cast.grassroots_officer)
    src, cat = Source.objects.get(key="self_check"), Category.objects.get(key="dining")
    resp = client.post("/oversight/problems/new/", {"source": src.pk, "category": cat.pk, "title": "公款宴请",
                                                     "concerns": "cadre", "cadre_name": ""})
    assert resp.status_code == 422
    body = resp.content.decode()
    assert "公款宴请" in body and "请写明问题涉及的干部姓名" in body
    resp = client.post("/oversight/problems/new/", {"source": src.pk, "category": cat.pk, "title": "公款宴请",
                                                     "concerns": "leadership"})
    assert resp.status_code == 302
    p = Problem.objects.get(title="公款宴请")
    assert p.org == cast.grassroots_a and p.concerns == "leadership"
    resp = client.post(f"/oversight/problems/{p.pk}/edit/", {"source": src.pk, "category": cat.pk,
                                                              "title": "公款宴请两次", "concerns": "unit"})
    assert resp.status_code == 302
    p.refresh_from_db()
    assert p.title == "公款宴请两次"


def test_review_round_with_a_return_through_the_pages(cast, login, setup):
    p = setup["p"]
    unit = login(cast.grassroots_officer)
    assert unit.post(f"/oversight/problems/{p.pk}/submit/").status_code == 302
    assert unit.post(f"/oversight/problems/{p.pk}/first/", {"decision": "return"}).status_code == 422
    assert unit.post(f"/oversight/problems/{p.pk}/first/", {"decision": "pass", "opinion": "同意"}).status_code == 302
    p.refresh_from_db()
    assert p.stage == Stage.JOINT
    # A grassroots officer may not name the group.
    assert unit.post(f"/oversight/problems/{p.pk}/group/", {}).status_code == 403
    county = login(cast.officer_a)
    data = {"user_1": cast.officer_a.pk, "department_1": setup["office"].pk,
            "user_2": setup["reviewer"].pk, "department_2": setup["office"].pk}
    resp = county.post(f"/oversight/problems/{p.pk}/group/", data)
    assert resp.status_code == 422 and "至少" in resp.content.decode()
    data["department_2"] = setup["org_dept"].pk
    assert county.post(f"/oversight/problems/{p.pk}/group/", data).status_code == 302
    assert county.post(f"/oversight/problems/{p.pk}/joint/", {"decision": "return", "opinion": "补充材料"}
                       ).status_code == 302
    p.refresh_from_db()
    assert (p.stage, p.returns, p.returned) == (Stage.DRAFT, 1, True)
    body = unit.get(f"/oversight/problems/{p.pk}/").content.decode()
    assert "补充材料" in body and "退回修改" in body


def _xlsx(rows):
    return write_xlsx(["问题", "问题描述", "来源", "类别", "单位代码", "涉及对象", "干部姓名"], rows)


def test_import_all_or_nothing_with_a_report(cast, login):
    client = login(cast.officer_a)
    bad = _xlsx([["公车私用", "周末使用", "自查", "作风问题", "GA", "干部", "王五"],
                 ["", "x", "不存在的来源", "", "GB", "", ""]])
    resp = client.post("/oversight/problems/import/", {"file": _upload(bad)})
    assert resp.status_code == 422 and "第3行" in resp.content.decode()
    assert not Problem.objects.exists()
    report = client.post("/oversight/problems/import/", {"file": _upload(bad), "report": "1"})
    assert next(iter(read_rows(report.content, "x.xlsx")))[:3] == ["行号", "问题", "问题"]
    good = _xlsx([["公车私用", "周末使用", "自查", "作风问题", "GA", "干部", "王五"],
                  ["台账不全", "", "内部审计", "", "CA1", "", ""]])
    assert client.post("/oversight/problems/import/", {"file": _upload(good)}).status_code == 302
    assert Problem.objects.count() == 2
    p = Problem.objects.get(title="公车私用")
    assert p.org == cast.grassroots_a and p.cadre_name == "王五" and p.category.name == "作风问题"
    assert Problem.objects.get(title="台账不全").category.key == "other"


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("问题清单.xlsx", data)


def test_settings_lists_and_departments(cast, login):
    city = login(cast.city_staff)
    assert city.post("/oversight/settings/sources/", {"name": "巡察反馈"}).status_code == 302
    entry = Source.objects.get(name="巡察反馈")
    assert city.post(f"/oversight/settings/sources/{entry.pk}/", {"op": "up"}).status_code == 302
    monitoring = Source.objects.get(key="monitoring")
    resp = city.post(f"/oversight/settings/sources/{monitoring.pk}/", {"op": "delete"})
    assert resp.status_code == 422 and Source.objects.filter(pk=monitoring.pk).exists()
    # A county's staff reads the lists; only the top federation keeps them.
    county = login(cast.officer_a)
    assert county.get("/oversight/settings/categories/").status_code == 200
    assert county.post("/oversight/settings/sources/", {"name": "y"}).status_code == 403
    assert county.post("/oversight/departments/", {"name": "宣教部"}).status_code == 302
    assert county.get("/oversight/departments/").content.decode().count("宣教部") >= 1
    assert login(cast.officer_b).get("/oversight/departments/?org=CA").status_code == 404
