import pytest

from gonghui.core import users_services
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Org


@pytest.fixture
def token(cast):
    _t, secret = users_services.api_token_create(actor=actor_for(cast.officer_a), name="区报表系统")
    return secret


def test_openapi_document_is_served(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    assert "/api/v1/orgs" in paths and "/api/v1/figures" in paths and "/api/v1/workdays/add" in paths


def test_token_auth_reads_in_scope(client, token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    resp = client.get("/api/v1/orgs", {"level": "grassroots"}, **auth)
    assert resp.status_code == 200
    assert [o["code"] for o in resp.json()["items"]] == ["GA"]
    assert resp.json()["items"][0]["contact_phone_masked"] == "138****5678"
    assert "contact_phone" not in resp.json()["items"][0]
    assert client.get("/api/v1/orgs/GB", **auth).status_code == 404
    assert client.get("/api/v1/orgs", HTTP_AUTHORIZATION="Bearer gh_nope_nope").status_code == 401
    assert client.get("/api/v1/orgs").status_code == 401


def test_revoked_token_stops_working(cast, client, token):
    from gonghui.core.models import ApiToken

    users_services.api_token_revoke(actor=actor_for(cast.officer_a), token=ApiToken.objects.get())
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_create_edit_move_dissolve_through_the_api(cast, client, token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    resp = client.post("/api/v1/orgs", {"parent": "CA1", "name": "东湖食品厂工会", "level": "grassroots",
                                        "kind": "enterprise", "employee_count": 60},
                       content_type="application/json", **auth)
    assert resp.status_code == 201, resp.content
    code = resp.json()["code"]
    assert resp.json()["parent_code"] == "CA1"
    # Mass assignment: level, status and path are not the schema's to set; they are ignored.
    resp = client.patch(f"/api/v1/orgs/{code}", {"employee_count": 75, "level": "county", "status": "dissolved",
                                                 "path": "0001"}, content_type="application/json", **auth)
    assert resp.status_code == 200
    org = Org.objects.get(code=code)
    assert (org.employee_count, org.level, org.status) == (75, "grassroots", "active")
    resp = client.post(f"/api/v1/orgs/{code}/dissolve", {"dissolved_on": "2026-03-01", "reason": "停产"},
                       content_type="application/json", **auth)
    assert resp.status_code == 200 and resp.json()["status"] == "dissolved"
    assert AuditEvent.objects.filter(object_id=code).count() == 3


def test_bad_input_answers_422_in_chinese_with_the_field(cast, client, token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    resp = client.post("/api/v1/orgs", {"parent": "CA1", "name": "x", "level": "grassroots", "kind": "enterprise",
                                        "uscc": "123"}, content_type="application/json", **auth)
    assert resp.status_code == 422
    assert resp.json()["detail"][0]["field"] == "uscc"
    assert "统一社会信用代码" in resp.json()["detail"][0]["message"]
    resp = client.patch("/api/v1/orgs/GA", {"employee_count": -5}, content_type="application/json", **auth)
    assert resp.status_code == 422
    resp = client.post("/api/v1/orgs/GA/move", {"new_parent": "GA-B"}, content_type="application/json", **auth)
    assert resp.status_code == 422 and resp.json()["detail"][0]["field"] == "new_parent"
    resp = client.post("/api/v1/orgs/GA/move", {"new_parent": "CB"}, content_type="application/json", **auth)
    assert resp.status_code == 404  # county B is outside county A's scope: as if it did not exist


def test_session_auth_requires_csrf_for_writes(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.officer_a)
    assert client.get("/api/v1/me").status_code == 200
    resp = client.patch("/api/v1/orgs/GA", {"employee_count": 1}, content_type="application/json")
    assert resp.status_code == 403
    assert Org.objects.get(code="GA").employee_count == 320


def test_figures_and_workdays_endpoints(cast, login):
    client = login(cast.officer_a)
    resp = client.get("/api/v1/figures", {"org": "CA", "period": "2026"})
    figures = {f["key"]: f for f in resp.json()["figures"]}
    assert figures["orgs.grassroots"]["value"] == 1.0
    assert client.get("/api/v1/figures", {"period": "2026H7"}).status_code == 422
    resp = client.get("/api/v1/workdays/add", {"date": "2026-02-13", "n": 3})
    assert resp.json() == {"date": "2026-02-25", "provisional": False}
    resp = client.get("/api/v1/workdays/between", {"start": "2027-01-01", "end": "2027-01-08"})
    assert resp.json()["provisional"] is True


def test_audit_api_is_for_audit_roles(cast, login):
    assert login(cast.officer_a).get("/api/v1/audit").status_code == 403
    resp = login(cast.audit_admin).get("/api/v1/audit")
    assert resp.status_code == 200
