"""No door that leads to a refusal: every link and GET form on a page a role can open must open for that role.

One page per route pattern, as each of the demo's roles (city, donghu, chengguan, union, auditor and the three
administrators), over one seeded database for the module; every a[href] and GET form[action] on it is followed
once per role and must not answer 403 or 404."""

import datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client

from gonghui.core import users_services
from gonghui.core.access import actor_for
from gonghui.core.models import Grant, Role
from gonghui.testing import build_cast

from .test_scope_walk import MEMBER_ID, PUBLIC, _aid_values, _alert_values, _card_number, _fill, _ledger_values, _routes

ROLES = ("city", "donghu", "chengguan", "union", "auditor", "sysadmin", "secadmin", "auditadmin")
# Pages that end the session or answer only POST: not visited (their links are visited from other pages).
NOT_VISITED = {"logout/", "switch/"}


class _Doors(HTMLParser):
    """The addresses a page offers to open with a GET: links and GET forms."""

    def __init__(self):
        super().__init__()
        self.urls: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.urls.add(a["href"])
        elif tag == "form" and (a.get("method") or "get").lower() == "get" and a.get("action") is not None:
            self.urls.add(a["action"] or "")


def doors(html: str, page_url: str) -> set[str]:
    parser = _Doors()
    parser.feed(html)
    found = set()
    for url in parser.urls:
        if url == "" or url.startswith("?"):
            url = urlsplit(page_url).path + url  # the page itself, or the page with other query parameters
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/static/"):
            continue  # other sites, mailto:, fragments, files
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The cast of the scope walk, a 城关街道 officer, and county A's member, case, card and token; rolled back
    at the end of the module."""
    from gonghui.casework.testing import log_case
    from gonghui.members.services import member_add

    with django_db_blocker.unblock(), transaction.atomic():
        cast = build_cast()
        chengguan = type(cast.officer_a).objects.create_user(username="chengguan_a", display_name="街道干部")
        Grant.objects.create(user=chengguan, role=Role.FEDERATION_STAFF, org=cast.township_a)
        token, _secret = users_services.api_token_create(actor=actor_for(cast.officer_a), name="A 的令牌")
        member = member_add(actor=actor_for(cast.officer_a), union=cast.grassroots_a,
                            joined_on=datetime.date(2020, 1, 1),
                            person={"id_number": MEMBER_ID, "name": "张秀英", "phone": "13612345678"})
        case = log_case(cast.officer_a)
        values = {"code": "GA", "year": 2026, "username": "officer_a", "prefix": token.prefix,
                  "uid": member.person.uid, "number": _card_number(cast, member), "case_code": case.code,
                  **_alert_values(cast), **_ledger_values(cast), **_aid_values(cast)}
        users = {"city": cast.city_staff, "donghu": cast.officer_a, "chengguan": chengguan,
                 "union": cast.grassroots_officer, "auditor": cast.auditor_a, "sysadmin": cast.system_admin,
                 "secadmin": cast.security_admin, "auditadmin": cast.audit_admin}
        yield users, values
        transaction.set_rollback(True)


def _pages(values) -> list[str]:
    return [_fill(route, values) for route in _routes()
            if route not in PUBLIC and route not in NOT_VISITED and not route.startswith(("static", "api/"))]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_link_on_a_page_leads_to_a_refusal(seeded, role):
    users, values = seeded
    client = Client()
    client.force_login(users[role])
    opened, offered = 0, {}
    for url in _pages(values):
        resp = client.get(url)
        if resp.status_code != 200 or not resp.get("Content-Type", "").startswith("text/html"):
            continue
        opened += 1
        for door in doors(resp.content.decode(), url):
            offered.setdefault(door, url)
    dead = []
    for door, on_page in sorted(offered.items()):
        if door.startswith("/logout/"):
            continue
        status = client.get(door).status_code
        if status in (403, 404):
            dead.append(f"{door} answers {status} (linked from {on_page})")
    assert opened >= 3, f"{role} opened only {opened} pages"
    assert not dead, f"{role} is shown links that refuse them:\n" + "\n".join(dead)


def test_doors_are_read_from_links_and_get_forms():
    html = ('<a href="/orgs/GA/">x</a><a href="https://example.org/">x</a><a href="#top">x</a>'
            '<a href="/static/a.css">x</a><a href="?page=2">x</a><form method="post" action="/orgs/GA/move/"></form>'
            '<form action="/members/"></form><form method="get" action=""></form>')
    assert doors(html, "/orgs/?q=1") == {"/orgs/GA/", "/orgs/?page=2", "/members/", "/orgs/"}
