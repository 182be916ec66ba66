import pytest

from gonghui.testing import build_cast


@pytest.fixture
def cast(db):
    return build_cast()


@pytest.fixture(autouse=True)
def _fresh_policy_and_rate_limits():
    """Each test starts with no rate-limit counts (the login limit is per address, and every test client is
    127.0.0.1) and re-reads the security policy (it is cached per process for a few seconds)."""
    from django.core.cache import cache

    from gonghui.core.models import _POLICY_CACHE

    cache.clear()
    _POLICY_CACHE.clear()
    yield
    _POLICY_CACHE.clear()


@pytest.fixture
def login(client):
    """Log a user in on the test client and return the client."""
    def _login(user):
        client.force_login(user)
        return client
    return _login


from gonghui.browser import browser, page  # noqa: E402,F401  (fixtures for the browser tests)


# No ID or mobile number in a log line or a URL of the whole run (gonghui/privacy/logscan.py).
def pytest_sessionstart(session):
    from gonghui.privacy import logscan

    logscan.attach(logscan.SESSION)
    logscan.watch_requests(logscan.SESSION)


def pytest_runtest_setup(item):
    from gonghui.privacy import logscan

    logscan.attach(logscan.SESSION)  # loggers configured since the last test


def pytest_sessionfinish(session, exitstatus):
    from gonghui.privacy import logscan

    if logscan.SESSION.findings:
        session.config.get_terminal_writer().line("\n" + logscan.report(logscan.SESSION), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
