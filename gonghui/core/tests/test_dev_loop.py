"""The developer loop and small reliability items: SQLite named by DATABASE_URL behaves like the default one, the
tests never touch the demo's var/, the staff pages say when the second factor is off, no developer words in the
UI, and the packaging and README stay self-contained."""

import logging
import re
import sqlite3
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path

import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler

from config.settings.base import database_from_env
from gonghui.conftest import DemoVarTouched
from gonghui.core.models import SecurityPolicy

BASE_DIR = Path(settings.BASE_DIR)
PROJECT_VAR = BASE_DIR / "var"


# Any SQLite DATABASE_URL: WAL, immediate transactions and a busy timeout, as on the default path.

def test_a_sqlite_database_url_gets_the_default_paths_options(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    default = database_from_env(tmp_path / "default.sqlite3")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/custom.sqlite3")
    custom = database_from_env(tmp_path / "unused.sqlite3")
    assert custom["NAME"] == str(tmp_path / "custom.sqlite3")
    assert custom["OPTIONS"] == default["OPTIONS"]
    assert custom["OPTIONS"]["transaction_mode"] == "IMMEDIATE" and custom["OPTIONS"]["timeout"] >= 20
    assert "journal_mode=WAL" in custom["OPTIONS"]["init_command"]


def test_a_sqlite_database_url_opens_in_wal_with_the_busy_timeout(monkeypatch, tmp_path, django_db_blocker):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/custom.sqlite3")
    handler = ConnectionHandler({"default": database_from_env(tmp_path / "unused.sqlite3")})
    conn = handler["default"]
    with django_db_blocker.unblock():
        with conn.cursor() as cur:
            cur.execute("PRAGMA journal_mode")
            assert cur.fetchone()[0] == "wal"
            cur.execute("PRAGMA busy_timeout")
            assert cur.fetchone()[0] == 20000
        assert conn.transaction_mode == "IMMEDIATE"
        conn.close()


def test_options_in_the_url_win_and_postgres_is_untouched(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/custom.sqlite3?timeout=60")
    db = database_from_env(tmp_path / "unused.sqlite3")
    assert db["OPTIONS"]["timeout"] == 60 and db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gh")
    assert "transaction_mode" not in database_from_env(tmp_path / "unused.sqlite3")["OPTIONS"]


# The tests never read or write the demo's var/.

def test_the_test_settings_point_every_directory_away_from_var():
    for path in (settings.VAR_DIR, settings.STATIC_ROOT, settings.MEDIA_ROOT):
        assert not Path(path).resolve().is_relative_to(PROJECT_VAR.resolve()), path
    name = str(settings.DATABASES["default"]["NAME"])
    assert not name.startswith(str(PROJECT_VAR)), name


def test_opening_anything_under_var_fails_the_test():
    with pytest.raises(DemoVarTouched):
        open(PROJECT_VAR / "gonghui.sqlite3", "rb")
    with pytest.raises(DemoVarTouched):
        sqlite3.connect(str(PROJECT_VAR / "gonghui.sqlite3"))
    with pytest.raises(DemoVarTouched):
        (PROJECT_VAR / "notify").mkdir(parents=True, exist_ok=True)


def test_a_gonghui_subprocess_must_not_use_var():
    with pytest.raises(DemoVarTouched):
        subprocess.run([sys.executable, "-m", "gonghui", "check"], env={"PATH": "/usr/bin"}, check=False)
    with pytest.raises(DemoVarTouched):
        subprocess.run([sys.executable, "-m", "gonghui", "check"], check=False,
                       env={"PATH": "/usr/bin", "GONGHUI_VAR_DIR": str(PROJECT_VAR)})


def test_whitenoise_finds_its_static_root():
    from whitenoise.middleware import WhiteNoiseMiddleware

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        WhiteNoiseMiddleware(lambda request: None)
    assert not [w for w in caught if "No directory" in str(w.message)]


# The banner on staff pages while the second factor is off.

BANNER = 'id="second-factor-off"'


def test_staff_pages_say_when_the_second_factor_is_off(cast, login):
    assert not SecurityPolicy.current().require_second_factor  # the cast turns it off, as the demo does
    html = login(cast.officer_a).get("/orgs/").content.decode()
    assert BANNER in html and "两步验证未开启" in html
    assert "/security/" not in html.split(BANNER, 1)[1].split("</div>", 1)[0]  # no door officers cannot open


def test_the_security_administrator_is_shown_where_to_turn_it_on(cast, login):
    html = login(cast.security_admin).get("/security/").content.decode()
    banner = html.split(BANNER, 1)[1].split("</div>", 1)[0]
    assert 'href="/security/"' in banner


def test_no_banner_once_the_second_factor_is_required(cast, login):
    from gonghui.core.models import _POLICY_CACHE

    SecurityPolicy.objects.filter(pk=1).update(require_second_factor=True)
    _POLICY_CACHE.clear()
    client = login(cast.security_admin)
    resp = client.get("/security/", follow=True)
    assert BANNER not in resp.content.decode()


def test_public_pages_carry_no_banner(db):
    from django.test import Client

    assert BANNER not in Client().get("/join/").content.decode()


# No developer words in the UI.

def _msgstrs() -> list[str]:
    po = (BASE_DIR / "gonghui/locale/zh_Hans/LC_MESSAGES/django.po").read_text()
    return re.findall(r'^msgstr "(.*)"$', po, flags=re.M)


def test_no_package_names_or_identifiers_in_the_translations():
    # Operators' command-line tools (pg_dump, pg_restore) are named in the backup command's messages on purpose,
    # and so are the environment settings an operator must set (GONGHUI_BACKUP_KEY): the message says which.
    allowed = {"pg_dump", "pg_restore"}
    found = []
    for text in _msgstrs():
        words = set(re.findall(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+", re.sub(r"%\(\w+\)[sd]", "", text)))
        if {w for w in words - allowed if not re.fullmatch(r"GONGHUI_[A-Z_]+", w)}:
            found.append(text)
        if re.search(r"软件包|\bTrue\b|\bFalse\b|\bNone\b", text):
            found.append(text)
    assert found == []


def test_the_calendar_source_reads_as_the_state_council_arrangement():
    from django.utils import translation

    from gonghui.core.models import HolidayYear

    with translation.override("zh-hans"):
        label = str(HolidayYear.Source.PACKAGE.label)
    assert "chinese_calendar" not in label and "国务院" in label


# Packaging and README.

def test_pyproject_uses_an_spdx_license_string_with_a_setuptools_that_reads_it():
    data = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())
    assert data["project"]["license"] == "AGPL-3.0-or-later"
    requires = data["build-system"]["requires"]
    version = re.search(r"setuptools>=(\d+)", " ".join(requires))
    assert version and int(version.group(1)) >= 77


def test_the_readme_links_only_inside_the_project():
    readme = (BASE_DIR / "README.md").read_text()
    assert "../" not in readme


@pytest.mark.django_db(transaction=True)
def test_the_seed_prints_no_notification_lines(caplog, capsys):
    from django.core.management import call_command

    from gonghui.casework.models import Case

    with caplog.at_level(logging.DEBUG):
        call_command("seed", "--per-township", "1", "--members", "20")
    assert Case.objects.exists()  # the seed handled requests, which tells the workers
    assert [r for r in caplog.records if r.name == "gonghui.notify"] == []
    assert "notify" not in capsys.readouterr().out
    assert logging.getLogger("gonghui.notify").getEffectiveLevel() == logging.INFO  # back to normal after
