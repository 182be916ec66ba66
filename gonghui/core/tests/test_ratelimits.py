"""Rate limits on the public forms (django-ratelimit): the N+1th attempt from one address gets a 429 in plain
Chinese and does nothing; another address is not held up; the counts live in a cache every process shares."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test import Client, override_settings

from config.settings import base
from gonghui.casework.models import Case
from gonghui.core import ratelimits
from gonghui.members.models import JoinApplication
from gonghui.portal import views_join, views_member, views_requests

MESSAGE = "短时间内操作次数过多，请稍后再试。"
# form URL, the module and name of its per-address limit
FORMS = [
    ("/join/GA/", views_join, "SUBMIT_LIMIT"),
    ("/join/status/", views_join, "STATUS_LIMIT"),
    ("/requests/new/", views_requests, "SUBMIT_LIMIT"),
    ("/requests/track/", views_requests, "TRACK_LIMIT"),
    ("/requests/track/rate/", views_requests, "RATE_LIMIT"),
    ("/member/transfer/", views_member, "TRANSFER_LIMIT"),
    ("/member/card/", views_member, "CARD_LIMIT"),
]


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _post(url: str, ip: str, data=None, n: int = 0):
    # A different code each time: the lookups also lock one code after repeated wrong answers.
    return Client(REMOTE_ADDR=ip).post(url, data or {"code": f"ABCD{n:06d}", "last4": "1234"})


def assert_limited(resp) -> None:
    assert resp.status_code == 429
    html = resp.content.decode()
    assert MESSAGE in html and 'id="rate-limited"' in html
    assert "no-store" in resp["Cache-Control"]
    assert "Content-Security-Policy" in resp


@pytest.mark.parametrize(("url", "module", "name"), FORMS)
def test_the_form_takes_its_limit_from_one_address_then_answers_429(cast, url, module, name):
    allowed, window = getattr(module, name)
    assert 5 <= allowed <= 30 and window >= 600  # a person never meets it; a sweep does at once
    for i in range(allowed):
        assert _post(url, "203.0.113.7", n=i).status_code != 429
    assert_limited(_post(url, "203.0.113.7", n=allowed))
    assert_limited(_post(url, "203.0.113.7", n=allowed + 1))
    assert _post(url, "198.51.100.9").status_code != 429  # per address: someone else gets through
    assert Client(REMOTE_ADDR="203.0.113.7").get(url).status_code in (200, 405)  # reading the form is not limited


def test_an_over_limit_submission_writes_nothing(cast, monkeypatch):
    monkeypatch.setattr(views_requests, "SUBMIT_LIMIT", (1, 3600))
    data = {"org": "CA", "worker_name": "刘强", "phone": "13912345678", "workplace": "东湖建筑公司",
            "category": "solution", "topic": "wages", "subject": "欠薪两个月", "description": "工地拖欠两个月工资。",
            "consent": "on", "notice_version": views_requests.intake.REQUEST_NOTICE_VERSION}
    assert _post("/requests/new/", "203.0.113.7", data).status_code == 302
    assert_limited(_post("/requests/new/", "203.0.113.7", {**data, "phone": "13912345679"}))
    assert Case.objects.count() == 1
    monkeypatch.setattr(views_join, "SUBMIT_LIMIT", (0, 3600))
    assert_limited(_post("/join/GA/", "203.0.113.7", {"name": "张伟"}))
    assert not JoinApplication.objects.exists()


def test_union_searches_are_limited_but_the_page_is_not(cast, monkeypatch):
    monkeypatch.setattr(views_join, "SEARCH_LIMIT", (2, 3600))
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _i in range(5):
        assert client.get("/join/").status_code == 200
    for _i in range(2):
        assert client.get("/join/", {"q": "机械"}).status_code == 200
    limited = client.get("/join/", {"q": "机械"})
    assert_limited(limited)
    assert "东湖机械厂工会" not in limited.content.decode()
    assert Client(REMOTE_ADDR="198.51.100.9").get("/join/", {"q": "机械"}).status_code == 200


def test_ipv6_addresses_of_one_network_share_a_count(cast, monkeypatch):
    monkeypatch.setattr(views_member, "CARD_LIMIT", (1, 3600))
    assert _post("/member/card/", "2001:db8:1:2::10").status_code == 200
    assert_limited(_post("/member/card/", "2001:db8:1:2::99"))  # same /64
    assert _post("/member/card/", "2001:db8:1:3::10").status_code == 200


# The cache the counts live in.

def test_base_settings_count_in_the_shared_database_cache():
    default = base.CACHES["default"]
    assert (default["BACKEND"], default["LOCATION"]) == ("django.core.cache.backends.db.DatabaseCache", "gonghui_cache")
    assert default["OPTIONS"]["MAX_ENTRIES"] >= 100_000  # else it culls counts
    assert base.RATELIMIT_USE_CACHE == "default" and base.RATELIMIT_VIEW == "gonghui.core.ratelimits.too_many"
    assert "django_ratelimit.middleware.RatelimitMiddleware" in base.MIDDLEWARE


@pytest.mark.django_db
def test_the_migration_made_the_cache_table_and_the_limits_work_on_it(cast, monkeypatch):
    assert "gonghui_cache" in connection.introspection.table_names()
    with override_settings(CACHES=base.CACHES):
        monkeypatch.setattr(views_member, "TRANSFER_LIMIT", (2, 3600))
        for _i in range(2):
            assert _post("/member/transfer/", "203.0.113.7").status_code == 200
        assert_limited(_post("/member/transfer/", "203.0.113.7"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM gonghui_cache")
            assert cursor.fetchone()[0] >= 1


def test_the_deploy_check_wants_a_shared_cache():
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        assert [w.id for w in ratelimits.check_rate_limit_cache()] == ["gonghui.W101"]
    with override_settings(CACHES=base.CACHES):
        assert ratelimits.check_rate_limit_cache() == []
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": "redis://127.0.0.1:6379"}}):
        assert ratelimits.check_rate_limit_cache() == []


def test_the_check_runs_with_deploy():
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        call_command("check", "--tag", "caches")  # not without --deploy: the tests and the demo run one process
        with pytest.raises(SystemCheckError, match=r"gonghui\.W101"):
            call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "caches")
