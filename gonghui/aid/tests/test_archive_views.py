"""The archive's pages: the list and its filters and masked export, the new form (a refusal keeps the input, 422,
the Chinese message next to the field), the household page with its rule, the review page, the public board's
notice (masked name, never income) and the worker's objection from it; other county 404, anonymous to login."""

import datetime

import pytest

from gonghui.aid import archive
from gonghui.aid.models import Household, HouseholdState
from gonghui.aid.testing_archive import filed_household, id_number, new_household, notice_household, standard
from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.spreadsheets import read_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    return monday_2_march_2026(monkeypatch)


def _form(number, **over):
    data = {"unit": "GA", "name": "孙小红", "id_number": number, "worker_income": "650", "causes": ["illness"],
            "illness_cost": "100", "m-TOTAL_FORMS": "3", "m-INITIAL_FORMS": "0", "m-MIN_NUM_FORMS": "0",
            "m-MAX_NUM_FORMS": "19", "m-0-name": "孙大明", "m-0-relationship": "spouse", "m-0-monthly_income": "0"}
    data.update(over)
    return data


def test_new_form_keeps_the_input_and_names_the_field(cast, login, clock):
    standard(cast.city, 2026)
    unit = login(cast.grassroots_officer)
    assert unit.get("/aid/archive/new/").status_code == 200
    bad = id_number()[:-1] + "Y"
    resp = unit.post("/aid/archive/new/", _form(bad))
    body = resp.content.decode()
    assert resp.status_code == 422 and "孙小红" in body and "身份证" in body
    resp = unit.post("/aid/archive/new/", _form(id_number(), worker_income="-1"))
    assert resp.status_code == 422 and "金额不能为负" in resp.content.decode()
    resp = unit.post("/aid/archive/new/", _form(id_number()))
    assert resp.status_code == 302
    h = Household.objects.get()
    page = unit.get(resp["Location"]).content.decode()
    assert "孙*红" in page and "孙小红" not in page and "深度困难" in page and 'id="category-rule"' in page
    assert h.members.count() == 2


def test_list_filters_and_masked_export(cast, login, clock):
    standard(cast.city, 2026)
    filed = filed_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a, name="周大福")
    new_household(cast.grassroots_officer, cast.grassroots_a, name="吴小宝")
    county = login(cast.officer_a)
    body = county.get("/aid/archive/").content.decode()
    assert "周*福" in body and "吴*宝" in body and "周大福" not in body
    body = county.get("/aid/archive/?state=filed").content.decode()
    assert "周*福" in body and "吴*宝" not in body
    assert county.get("/aid/archive/?state=bogus").status_code == 200
    resp = county.get("/aid/archive/?export=xlsx")
    content = b"".join(resp.streaming_content) if resp.streaming else resp.content
    cells = [str(c) for row in read_rows(content, "x.xlsx") for c in row if c not in (None, "")]
    assert "周*福" in cells and not any("周大福" in c for c in cells)
    assert not any(filed.id_number in c for c in cells)
    assert login(cast.officer_b).get("/aid/archive/").content.decode().count("周*福") == 0


def test_someone_elses_household_is_404_and_anonymous_goes_to_login(cast, login, client, clock):
    standard(cast.city, 2026)
    h = new_household(cast.grassroots_officer, cast.grassroots_a)
    assert client.get(f"/aid/archive/{h.pk}/").status_code == 302
    other = login(cast.officer_b)
    for url in (f"/aid/archive/{h.pk}/", f"/aid/archive/{h.pk}/edit/", f"/aid/archive/{h.pk}/review/"):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/aid/archive/{h.pk}/apply/").status_code == 404
    assert login(cast.auditor_a).post(f"/aid/archive/{h.pk}/apply/").status_code == 403


def test_review_page_and_the_public_notice_with_an_objection(cast, login, client, clock):
    standard(cast.city, 2026)
    from gonghui.aid.testing_archive import applied_household

    h = applied_household(cast.grassroots_officer, cast.grassroots_a, name="郑秋菊", income="876.54",
                          cause_note="乳腺癌化疗")
    county = login(cast.officer_a)
    resp = county.post(f"/aid/archive/{h.pk}/review/", {"decision": "return", "reason": ""})
    assert resp.status_code == 422 and "退回" in resp.content.decode()
    resp = county.post(f"/aid/archive/{h.pk}/review/", {"decision": "approve"})
    assert resp.status_code == 302
    h.refresh_from_db()
    assert h.state == HouseholdState.NOTICE
    client.logout()
    board = client.get("/disclosure/GA/").content.decode()
    assert "郑*菊" in board and "郑秋菊" not in board and "876" not in board and "化疗" not in board
    url = f"/disclosure/GA/notices/{h.publication_id}/respond/"
    assert client.get(url).status_code == 200
    resp = client.post(url, {"text": "短"})
    assert resp.status_code == 422
    resp = client.post(url, {"text": "该户家中有营运车辆，收入不实。", "contact": "13812345678"})
    assert resp.status_code == 200
    h.refresh_from_db()
    assert h.open_objections == 1
    # The notice of another union's board is not reachable under this one.
    assert client.get(f"/disclosure/GB/notices/{h.publication_id}/respond/").status_code == 404


def test_annual_review_and_exit_pages(cast, login, clock):
    standard(cast.city, 2026)
    h = filed_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a)
    clock.set(2026, 3, 20)
    Household.objects.filter(pk=h.pk).update(review_due=datetime.date(2026, 3, 19))  # as if filed a year ago
    unit = login(cast.grassroots_officer)
    page = unit.get(f"/aid/archive/{h.pk}/").content.decode()
    assert 'data-color="red"' in page
    keys = {f"income_{m.pk}": "900" for m in h.members.all()}
    resp = unit.post(f"/aid/archive/{h.pk}/annual/", {**keys, f"income_{h.members.first().pk}": "x"})
    assert resp.status_code == 422
    assert unit.post(f"/aid/archive/{h.pk}/annual/", keys).status_code == 302
    resp = unit.post(f"/aid/archive/{h.pk}/exit/", {"reason": "", "on": "2026-03-20"})
    assert resp.status_code == 422
    assert unit.post(f"/aid/archive/{h.pk}/exit/", {"reason": "再就业", "on": "2026-03-20"}).status_code == 302
    h.refresh_from_db()
    assert h.state == HouseholdState.EXITED and h.exited_on == datetime.date(2026, 3, 20)
    assert archive.evidence_count(h) == 1


def test_standards_page(cast, login, clock):
    county = login(cast.officer_a)
    assert county.get("/aid/archive/standards/").status_code == 200
    resp = county.post("/aid/archive/standards/", {"what": "standard", "unit": "", "region_code": "",
                                                   "year": "2026", "monthly": "900"})
    assert resp.status_code == 422
    resp = county.post("/aid/archive/standards/", {"what": "standard", "unit": "CA", "year": "2026",
                                                   "monthly": "900"})
    assert resp.status_code == 302
    assert archive.standard_for(cast.grassroots_a, 2026).monthly == 900
    unit = login(cast.grassroots_officer)
    assert unit.post("/aid/archive/standards/", {"what": "settings", "deep_ratio": "1", "relative_ratio": "2",
                                                 "notice_days": "5"}).status_code == 403


def test_notice_page_never_shows_income(cast, login, clock):
    standard(cast.city, 2026)
    h = notice_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a, income="432.10")
    page = login(cast.officer_a).get(f"/aid/archive/{h.pk}/").content.decode()
    assert "432.1" not in page


def test_list_rows_show_the_unit_labels_causes_review_color_and_objection(cast, login, clock):
    standard(cast.city, 2026)
    late = filed_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a, name="周大福",
                           causes=("illness", "schooling"))
    soon = filed_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a, name="王小明")
    held = notice_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a, name="郑秋菊",
                            causes=("job_loss",))
    Household.objects.filter(pk=late.pk).update(review_due=datetime.date(2026, 3, 1))
    Household.objects.filter(pk=soon.pk).update(review_due=datetime.date(2026, 3, 10))
    Household.objects.filter(pk=held.pk).update(open_objections=1)
    late.refresh_from_db()
    body = login(cast.officer_a).get("/aid/archive/").content.decode()
    rows = {h.pk: body[body.index(f'<tr data-id="{h.pk}"'):].split("</tr>", 1)[0] for h in (late, soon, held)}
    assert 'data-state="filed" data-color="red">' in rows[late.pk]
    assert f'<a href="/aid/archive/{late.pk}/">周*福</a></td><td>{cast.grassroots_a.name}</td>' in rows[late.pk]
    assert f"<td>{late.get_category_display()}</td><td>已建档</td>" in rows[late.pk]
    assert '<td class="small">疾病、子女就学</td>' in rows[late.pk]
    assert 'data-color="red">超期</span>\n2026-03-01</td>' in rows[late.pk]
    assert 'data-color="blue">' in rows[soon.pk] and "2026-03-10</td>" in rows[soon.pk]
    assert 'data-state="notice" data-color=""' in rows[held.pk]
    assert '<span class="badge text-bg-warning">因异议暂停</span>' in rows[held.pk]
    assert '<td class="small">失业</td>' in rows[held.pk] and "text-bg-danger" not in rows[held.pk]
