from unittest import mock

from django.db.utils import OperationalError


def test_healthz_ok(client, db):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_the_database_is_unreachable(client, db):
    with mock.patch("gonghui.core.views.connection.cursor", side_effect=OperationalError("down")):
        resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.json()["database"] == "unreachable"
