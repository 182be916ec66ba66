"""CSRF on every form: a POST without the token is refused on every page route (as a signed-in officer and as
an anonymous visitor on the public forms) and on every session-authenticated API operation that writes; the
same request with the token is not refused for CSRF, so the refusal is the CSRF check's. Bearer-token API calls
carry no cookie and need no token, by design."""

import json
import string

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from gonghui.api import api
from gonghui.core import users_services
from gonghui.core.access import actor_for
from gonghui.core.tests.test_headers import _fill
from gonghui.core.tests.test_scope_walk import BODY, _routes, values  # noqa: F401  (the walk's URL values fixture)

UNSAFE = ("post", "put", "patch", "delete")


def _csrf_refused(resp) -> bool:
    # The site's CSRF failure page (CSRF_FAILURE_VIEW, gonghui/core/views.py) marks its message; ninja answers
    # "CSRF check Failed".
    return resp.status_code == 403 and (b'id="csrf-failure"' in resp.content or b"CSRF" in resp.content)


def _token(client: Client) -> str:
    """The token for the client's CSRF cookie (setting one as a page would, when it has none yet)."""
    if "csrftoken" not in client.cookies:
        client.cookies["csrftoken"] = get_random_string(32, allowed_chars=string.ascii_letters + string.digits)
    return client.cookies["csrftoken"].value


def _page_routes():
    return [r for r in _routes() if not r.startswith(("api/", "static"))]


def _unsafe_api_operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    for path, operations in schema["paths"].items():
        for method in operations:
            if method in UNSAFE:
                yield method, path


def _officer(cast) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.officer_a)
    return client


def test_every_page_refuses_a_post_without_the_token_from_an_officer(cast, values):  # noqa: F811
    client = _officer(cast)
    routes = _page_routes()
    assert len(routes) > 25
    for route in routes:
        url = _fill(route, values)
        resp = client.post(url, BODY)
        assert _csrf_refused(resp), f"POST {url} without the CSRF token answered {resp.status_code}"
        checked = client.post(url, {**BODY, "csrfmiddlewaretoken": _token(client)})
        assert not _csrf_refused(checked), f"POST {url} with the token was refused for CSRF"
        client.force_login(cast.officer_a)  # the route may have been logout/


PUBLIC_FORMS = ["/login/", "/join/GA/", "/join/status/", "/member/transfer/", "/member/card/", "/requests/new/",
                "/requests/track/", "/requests/track/rate/"]


def test_public_forms_refuse_a_post_without_the_token_from_a_visitor(cast, values):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    routes = {_fill(r, values) for r in _page_routes()}
    assert set(PUBLIC_FORMS) <= routes | {"/join/GA/"}
    for url in PUBLIC_FORMS + sorted(routes):
        resp = client.post(url, {"code": "ABCDEFGHJK", "last4": "1234", "username": "x", "password": "y"})
        assert _csrf_refused(resp), f"POST {url} without the CSRF token answered {resp.status_code} to a visitor"
    for url in PUBLIC_FORMS:
        checked = client.post(url, {"code": "ABCDEFGHJK", "last4": "1234", "csrfmiddlewaretoken": _token(client)})
        assert not _csrf_refused(checked), f"POST {url} with the token was refused for CSRF"


def test_every_api_write_through_the_session_needs_the_token(cast, values):  # noqa: F811
    client = _officer(cast)
    operations = list(_unsafe_api_operations())
    assert len(operations) > 15
    for method, path in operations:
        url = _fill(path.lstrip("/").replace("{", "<").replace("}", ">"), values)
        resp = getattr(client, method)(url, json.dumps({}), content_type="application/json")
        assert _csrf_refused(resp), f"{method.upper()} {url} through the session without the token: {resp.status_code}"
        checked = getattr(client, method)(url, json.dumps({}), content_type="application/json",
                                          HTTP_X_CSRFTOKEN=_token(client))
        assert not _csrf_refused(checked) and checked.status_code != 401, \
            f"{method.upper()} {url} through the session with the token: {checked.status_code}"


def test_a_bearer_token_call_needs_no_csrf_token_and_a_session_call_does(cast):
    _token_row, secret = users_services.api_token_create(actor=actor_for(cast.officer_a), name="集成")
    body = json.dumps({"parent": "CA", "code": "CA9", "name": "东湖区新设工会", "level": "grassroots",
                       "kind": "enterprise"})
    bearer = Client(enforce_csrf_checks=True)
    resp = bearer.post("/api/v1/orgs", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert resp.status_code in (200, 201), resp.content
    assert not _csrf_refused(resp)
    session = _officer(cast)
    refused = session.post("/api/v1/orgs", body.replace("CA9", "CA8"), content_type="application/json")
    assert _csrf_refused(refused)
    accepted = session.post("/api/v1/orgs", body.replace("CA9", "CA8"), content_type="application/json",
                            HTTP_X_CSRFTOKEN=_token(session))
    assert accepted.status_code in (200, 201), accepted.content


@pytest.mark.parametrize("url", [u for u in PUBLIC_FORMS if u != "/requests/track/rate/"])  # that one is POST only
def test_the_public_forms_render_the_token(cast, client, url):
    resp = client.get(url)
    assert resp.status_code == 200 and b'name="csrfmiddlewaretoken"' in resp.content
