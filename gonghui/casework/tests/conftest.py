import pytest
from django.core.cache import cache

from gonghui.casework.testing import monday_2_march_2026
from gonghui.core import notify
from gonghui.core.models import Grant, Role
from gonghui.testing import _user


@pytest.fixture
def clock(monkeypatch):
    """Monday 2 March 2026, 10:00 in Shanghai: a published year, far from the holidays."""
    return monday_2_march_2026(monkeypatch)


@pytest.fixture
def outbox(settings):
    settings.GONGHUI_NOTIFY_BACKEND = "gonghui.core.notify.LocmemBackend"
    notify.outbox.clear()
    yield notify.outbox
    notify.outbox.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def township_officer(cast):
    """Federation staff of the township under county A (城关街道总工会)."""
    return _user("township_a", "街道干部", Role.FEDERATION_STAFF, cast.township_a)


@pytest.fixture
def officer_a2(cast):
    """A second staff member of county A."""
    user = _user("officer_a2", "区总干部丙", Role.FEDERATION_STAFF, cast.county_a)
    assert Grant.objects.filter(user=user).count() == 1
    return user
