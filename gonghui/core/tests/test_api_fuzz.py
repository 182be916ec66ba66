"""Schemathesis against /api/v1/openapi.json, in the suite (marker ``fuzz``), bounded in examples: as an officer
with a bearer token, valid data never makes a 500 and invalid data is never accepted; without a token (or with
a wrong or revoked one) every operation is refused."""

import functools
import json
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection

from gonghui.api import api
from gonghui.core import users_services
from gonghui.core.access import actor_for
from gonghui.core.tests.test_scope_walk import values  # noqa: F401  (real objects of county A to aim at)
from gonghui.privacy import scan

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = 6  # per operation and mode: about 40 operations, the whole file about a minute on two cores
OPERATIONS = sorted((path, method) for path, ops in api.get_openapi_schema(path_prefix="/api/v1/")["paths"].items()
                    for method in ops)
IDS = [f"{method.upper()} {path}" for path, method in OPERATIONS]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Called straight through WSGI, Django would close the test's database connection after each request
    # (PostgreSQL then loses the test transaction); Django's own test client holds these signals off the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@functools.cache
def _app():
    return get_wsgi_application()


@functools.cache
def _schema():
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _app())


@pytest.fixture
def bearer(cast):
    _token, secret = users_services.api_token_create(actor=actor_for(cast.officer_a), name="模糊测试")
    return {"Authorization": f"Bearer {secret}"}


def _url_is_clean(case) -> bool:
    # The suite fails a run whose URLs carry an ID or mobile number (gonghui/privacy/logscan.py); generated text
    # can look like one, and such a case would only test that scan.
    sent = [*(case.path_parameters or {}).values(), *(case.query or {}).values()]
    return not scan.find(" ".join(str(v) for v in sent))


def _run(operation, mode: GenerationMode, headers: dict, checks: list, examples: int = EXAMPLES,
         path_parameters: dict | None = None) -> None:
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters).filter(_url_is_clean))
    def fuzz(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=checks)

    fuzz()


def test_the_schema_lists_every_operation():
    assert len(OPERATIONS) > 25
    assert {m for _p, m in OPERATIONS} >= {"get", "post", "patch"}


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=IDS)
def test_valid_data_never_makes_a_server_error(bearer, values, path, method):  # noqa: F811
    # Path parameters name real objects of county A, so the bodies reach the services rather than a 404.
    names = re.findall(r"{(\w+)}", path)
    _run(_schema()[path][method], GenerationMode.POSITIVE, bearer, [not_a_server_error],
         path_parameters={name: str(values[name]) for name in names if name in values})


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=IDS)
def test_invalid_data_is_rejected(bearer, path, method):
    _run(_schema()[path][method], GenerationMode.NEGATIVE, bearer, [not_a_server_error, negative_data_rejection])


def _refused(ctx, response, case):
    # Only 401 says "who are you"; a 404 or 403 here would mean the call got past authentication.
    assert response.status_code == 401, f"{case.operation.label} answered {response.status_code} without a valid token"


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=IDS)
def test_every_operation_refuses_a_call_without_a_valid_token(cast, path, method):
    for headers in ({}, {"Authorization": "Bearer gh_00000000_not-a-real-token"},
                    {"Authorization": "Basic b2ZmaWNlcl9hOlBhc3N3b3Jk"}, {"Cookie": "sessionid=forged"}):
        _run(_schema()[path][method], GenerationMode.POSITIVE, headers, [_refused], examples=1)


def test_a_revoked_token_is_refused(cast, bearer):
    from gonghui.core.models import ApiToken

    me = _schema()["/api/v1/me"]["get"]
    _run(me, GenerationMode.POSITIVE, bearer, [_answered(200)], examples=1)
    users_services.api_token_revoke(actor=actor_for(cast.officer_a), token=ApiToken.objects.get(user=cast.officer_a))
    _run(me, GenerationMode.POSITIVE, bearer, [_refused], examples=1)


def _answered(status: int):
    def check(ctx, response, case):
        assert response.status_code == status, f"{case.operation.label} answered {response.status_code}"
    return check


# What the fuzzer found, pinned.

@pytest.mark.parametrize("url", ["/api/v1/casework", "/api/v1/orgs", "/api/v1/members"])
def test_a_page_number_past_any_offset_is_refused_not_a_500(client, bearer, url):
    resp = client.get(url, {"page": "126005236328752463872"}, HTTP_AUTHORIZATION=bearer["Authorization"])
    assert resp.status_code == 422
    assert client.get(url, {"page": "2"}, HTTP_AUTHORIZATION=bearer["Authorization"]).status_code == 200


@pytest.mark.parametrize(("method", "url", "body"), [
    ("post", "/api/v1/members", {"union": "GA", "joined_on": "2026-01-01", "job_title": "焊\x00工",
                                 "person": {"id_number": "330102198803150020", "name": "张伟"}}),
    ("post", "/api/v1/orgs", {"parent": "CA", "name": "东湖\x00工会", "level": "grassroots", "kind": "enterprise"}),
    ("get", "/api/v1/orgs?q=%00", None),
    ("get", "/api/v1/members?q=a%00b", None),
])
def test_a_nul_character_is_refused_not_a_500(client, bearer, method, url, body):
    # PostgreSQL cannot store NUL in text: the fuzzer's 500 on POST /members.
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body else {}
    resp = getattr(client, method)(url, HTTP_AUTHORIZATION=bearer["Authorization"], **kwargs)
    assert resp.status_code in (400, 422), resp.content
