import pytest

from gonghui.testing import build_cast


@pytest.fixture
def cast(db):
    return build_cast()


@pytest.fixture
def login(client):
    """Log a user in on the test client and return the client."""
    def _login(user):
        client.force_login(user)
        return client
    return _login


from gonghui.browser import browser, page  # noqa: E402,F401  (fixtures for the browser tests)
