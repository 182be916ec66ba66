import os
import sys

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


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Chinese): a page served or an override left behind by an earlier
    test must not decide which language a later test's messages come in."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def login(client):
    """Log a user in on the test client and return the client."""
    def _login(user):
        client.force_login(user)
        return client
    return _login


from gonghui.browser import browser, page  # noqa: E402,F401  (fixtures for the browser tests)


class DemoVarTouched(AssertionError):
    """A test touched the demo's var/ (its database, secrets, static files, notifications)."""


# Audit events whose first argument is a path the process is about to open, list, create or remove.
_PATH_EVENTS = frozenset({"open", "sqlite3.connect", "os.listdir", "os.scandir", "os.mkdir", "os.remove",
                          "os.rename", "os.rmdir", "os.chmod", "os.truncate", "shutil.rmtree", "shutil.copyfile"})


def _var_guard(project_var: str):
    """An audit hook: opening anything under <project>/var/ raises, and so does starting a `gonghui` subprocess
    whose environment would make it use that directory (the tests run beside `make run`'s demo)."""
    prefix = project_var + os.sep

    def inside(path) -> bool:
        if isinstance(path, int) or path is None:
            return False
        try:
            full = os.path.abspath(os.fsdecode(path))
        except TypeError:
            return False
        return full == project_var or full.startswith(prefix)

    def hook(event, args):
        if event in _PATH_EVENTS and args and inside(args[0]):
            raise DemoVarTouched(f"a test touched the demo's directory: {event} {args[0]}")
        if event == "subprocess.Popen":
            _executable, argv, _cwd, env = args
            argv = [os.fsdecode(a) for a in (argv if isinstance(argv, list | tuple) else [argv])]
            if "gonghui" in argv or any(a.endswith("/gonghui") for a in argv):
                var = (os.environ if env is None else env).get("GONGHUI_VAR_DIR", "")
                if not var or inside(var):
                    raise DemoVarTouched(f"a gonghui subprocess would use the demo's var/: {' '.join(argv)}")

    return hook


_GUARD_INSTALLED = []


def install_var_guard():
    from django.conf import settings

    if not _GUARD_INSTALLED:
        sys.addaudithook(_var_guard(os.path.abspath(settings.BASE_DIR / "var")))  # stays for the whole run
        _GUARD_INSTALLED.append(True)


# No ID or mobile number in a log line or a URL of the whole run (gonghui/privacy/logscan.py); nothing touches
# the demo's var/.
def pytest_sessionstart(session):
    from gonghui.privacy import logscan

    install_var_guard()

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
