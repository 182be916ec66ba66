"""Walk every URL pattern as an anonymous visitor and as county B's officer against county A's objects."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from gonghui.core import users_services
from gonghui.core.access import actor_for

# Pages anyone may open.
PUBLIC = {"", "login/", "healthz", "api/v1/openapi.json", "api/v1/docs",
          # The start page and the public portal: workers use them without a login (union names, never people).
          "join/", "join/status/", "join/done/", "join/<str:code>/", "member/transfer/", "member/card/",
          "requests/new/", "requests/done/", "requests/track/", "requests/track/rate/",
          # 作风直通车: the public mailbox for tips about cadres' conduct, and the lookup of the answer.
          "tips/new/", "tips/done/", "tips/track/",
          # A worker's own data, after proving who they are with their numbers and a code (gonghui/privacy).
          "privacy/", "privacy/mine/", "privacy/mine/export.json", "privacy/mine/export.xlsx", "privacy/mine/delete/",
          "privacy/mine/sign-out/",
          # The public disclosure board (公开栏): what each union chose to publish, for its members and the public.
          "disclosure/", "disclosure/<str:code>/", "disclosure/<str:code>/notices/<int:pk>/respond/",
          # Secret ballots: anyone with a voting code votes; a published poll's result is for its voters.
          "vote/", "vote/cast/", "vote/results/<str:token>/",
          # Surveys (微调查): the link or QR code of a survey opens it; the thank-you page.
          "survey/<str:token>/", "survey/<str:token>/thanks/"}
# Pages that hold no union's data (the State Council's holiday arrangement is public knowledge).
UNSCOPED_FOR_STAFF = {"calendar/<int:year>/"}
A_MARKERS = ["东湖机械厂工会", "东湖区总工会", "城关街道总工会", "一车间分会", "13812345678", "张秀英", "13612345678",
             "陈秀兰", "13712345678", "欠薪三个月"]
BODY = {"new_parent": "CB", "dissolved_on": "2026-01-01", "reason": "x", "parent": "GA", "name": "x",
        "level": "branch", "kind": "enterprise", "grant": "1", "left_on": "2026-01-01", "union": "GA",
        "joined_on": "2026-01-01", "person": {"id_number": "330102198803150020", "name": "x"}}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _routes():
    routes = sorted(set(_walk(get_resolver().url_patterns)))
    assert len(routes) > 25
    return routes


def _fill(route: str, values: dict) -> str:
    route = route.lstrip("^").rstrip("$")
    own = [pk for prefix, pk in values.get("pk_by_route", {}).items() if route.startswith(prefix)]
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>",
                        lambda m: str(own[0] if own and m.group(1) == "pk" else values[m.group(1)]), route)


MEMBER_ID = "330102198803150020"  # a valid resident ID (GB 11643 check digit 0)


@pytest.fixture
def values(cast):
    import datetime

    from gonghui.casework.testing import log_case
    from gonghui.members.services import member_add

    _token, _secret = users_services.api_token_create(actor=actor_for(cast.officer_a), name="A 的令牌")
    member = member_add(actor=actor_for(cast.officer_a), union=cast.grassroots_a, joined_on=datetime.date(2020, 1, 1),
                        person={"id_number": MEMBER_ID, "name": "张秀英", "phone": "13612345678"})
    case = log_case(cast.officer_a)
    return {"code": "GA", "year": 2026, "username": "officer_a", "prefix": _token.prefix, "uid": member.person.uid,
            "number": _card_number(cast, member), "case_code": case.code, "token": "none", **_alert_values(cast),
            **_ledger_values(cast), **_aid_values(cast)}


def _aid_values(cast) -> dict:
    """County A's assistance objects: a program, a grant awaiting approval, an open payment batch, a visit, a
    household of the hardship archive and the program's grants on the board (``pub``). Their pages take ``pk``:
    ``_fill`` takes it from ``pk_by_route``."""
    import datetime

    from gonghui.aid import programs
    from gonghui.aid.models import ProgramKind, VisitTarget
    from gonghui.aid.testing_archive import new_household, standard
    from gonghui.aid.testing_programs import make_program, member

    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    officer, union = actor_for(cast.officer_a), actor_for(cast.grassroots_officer)
    paid = programs.grant_apply(actor=union, program=program, person=member(cast, "陈秀兰"), org=cast.grassroots_a,
                                facts={"relationship": "父"}, bank_account="6222021234567890123")
    programs.grant_approve(actor=officer, grant=paid)
    batch = programs.batch_create(actor=officer, program=program)
    grant = programs.grant_apply(actor=union, program=program, person=member(cast, "王秀英"), org=cast.grassroots_a,
                                 facts={"relationship": "母"})
    visit = programs.visit_create(actor=union, org=cast.grassroots_a, target=VisitTarget.HOUSEHOLD,
                                  visited_on=datetime.date(2026, 1, 20), place="东湖机械厂", people=1, households=1)
    standard(cast.city, 2026)
    household = new_household(cast.grassroots_officer, cast.grassroots_a)
    from gonghui.aid.board_grants import KIND
    from gonghui.portal.publications import publication_publish

    on_board = publication_publish(actor=officer, kind=KIND, org=cast.county_a, object_id=program.pk,
                                   title="白事慰问发放公示", rows=[{"姓名": "陈*兰", "金额": "500.00"}])
    from gonghui.aid.testing_mutual import enrolled, file_claim, make_plan

    plan = make_plan(cast)
    claim = file_claim(cast.grassroots_officer, enrolled(cast, plan, "陈秀兰"))
    from gonghui.aid import schemes
    from gonghui.aid.testing_drives import give_down, make_drive, make_scheme
    from gonghui.aid.testing_drives import member as drive_member
    from gonghui.democracy.testing import make_poll

    drive, scheme = make_drive(cast), make_scheme(cast)
    give_down(cast, scheme)
    nomination = schemes.nomination_create(actor=union, scheme=scheme, org=cast.grassroots_a,
                                           person=drive_member(cast, "李秀梅"), group="frontline")
    trip = schemes.trip_create(actor=officer, scheme=scheme, place="市人民医院", start_on=datetime.date(2026, 9, 1),
                               capacity=10)
    poll = make_poll(cast, size=3)
    by_route = {"aid/programs/": program.pk, "aid/grants/": grant.pk, "aid/batches/": batch.pk,
                "aid/visits/": visit.pk, "aid/archive/": household.pk, "aid/mutual/claims/": claim.pk,
                "aid/mutual/plans/": plan.pk, "aid/mutual/": plan.pk, "aid/drives/": drive.pk,
                "aid/schemes/nominations/": nomination.pk, "aid/schemes/": scheme.pk,
                "aid/nominations/": nomination.pk, "aid/trips/": trip.pk, "democracy/polls/": poll.pk}
    by_route.update(_survey_values(cast))
    by_route.update(_congress_values(cast))
    return {"pub": on_board.pk, "pk_by_route": {**by_route, **{f"api/v1/{k}": v for k, v in by_route.items()},
                                                "api/v1/aid/households/": household.pk}}


def _survey_values(cast) -> dict:
    """County A's survey and one of its questions (the question pages come first: their prefix is the longer)."""
    from gonghui.democracy import surveys
    from gonghui.democracy.testing_surveys import make_survey

    survey = make_survey(cast)
    return {"democracy/surveys/questions/": surveys.questions_of(survey)[0].pk, "democracy/surveys/": survey.pk}

def _congress_values(cast) -> dict:
    """The 职代会 of union A with a session, an agenda item and a proposal (each page takes its own ``pk``)."""
    from gonghui.democracy import congress as congress_services
    from gonghui.democracy.testing_congress import make_congress, submit

    congress = make_congress(cast)
    actor = actor_for(cast.grassroots_officer)
    session = congress_services.session_create(actor=actor, congress=congress, held_on=congress.term_start,
                                               present=8)
    item = congress_services.agenda_item_add(actor=actor, session=session, title="厂长工作报告", kind="report")
    proposal = submit(cast, congress, submitted_on=congress.term_start)
    return {"democracy/congresses/": congress.pk, "democracy/sessions/": session.pk, "democracy/agenda/": item.pk,
            "democracy/proposals/": proposal.pk}


def _ledger_values(cast) -> dict:
    """A final problem of union A with a measure (the ledger's pages take the problem's id)."""
    from gonghui.oversight.testing_ledger import final_problem

    problem = final_problem(cast.grassroots_a, "东湖机械厂职工之家闲置")
    return {"problem_pk": problem.pk}


def _alert_values(cast) -> dict:
    """An alert on a banned purchase in union A's books, and the action its door takes."""
    from gonghui.funds.models import Alert
    from gonghui.funds.rules import scan
    from gonghui.funds.testing import expense

    expense(cast.grassroots_officer, cast.grassroots_a, "600", summary="购物卡")
    scan(actor=actor_for(cast.officer_a), org=cast.grassroots_a, year=2026)
    alert = Alert.objects.get(org_path=cast.grassroots_a.path)
    return {"pk": alert.pk, "alert_id": alert.pk, "action": "dismiss"}


def _card_number(cast, membership) -> str:
    from gonghui.members.cards import cards_issue

    cards_issue(actor=actor_for(cast.officer_a), union=cast.grassroots_a)
    return membership.cards.get().number


def _refused(resp) -> bool:
    if resp.status_code in (401, 403, 404, 405):
        return True
    return resp.status_code == 302 and resp["Location"].startswith("/login/")


def test_anonymous_is_refused_everywhere_but_public_pages(client, values):
    for route in _routes():
        if route in PUBLIC or route.startswith("static"):
            continue
        url = _fill(route, values)
        for method in ("get", "post"):
            resp = getattr(client, method)(url, BODY if method == "post" else None)
            assert _refused(resp), f"{method.upper()} {url} answered {resp.status_code} to an anonymous visitor"


def test_county_b_officer_cannot_reach_county_a(cast, login, values):
    client = login(cast.officer_b)
    for route in _routes():
        if route in PUBLIC or route in UNSCOPED_FOR_STAFF or route.startswith("static"):
            continue
        url = _fill(route, values)
        has_object = "<" in route
        for method in ("get", "post"):
            if method == "post" and route.startswith("api/"):
                resp = client.post(url, BODY, content_type="application/json")
            else:
                resp = getattr(client, method)(url, BODY if method == "post" else None)
            if has_object:
                assert _refused(resp), f"{method.upper()} {url} answered {resp.status_code} to county B"
            body = resp.content.decode(errors="replace") if resp.status_code == 200 else ""
            for marker in A_MARKERS:
                assert marker not in body, f"{method.upper()} {url} shows county A's {marker} to county B"


@pytest.mark.parametrize("url", [
    "/orgs/tree/?at=GA", "/api/v1/orgs?under=GA", "/api/v1/figures?org=CA", "/orgs/CA/overview/",
    "/api/v1/orgs/GA/children", "/api/v1/casework?org=CA", "/api/v1/casework/figures?org=CA",
    "/api/v1/casework/counts?org=CA",
])
def test_county_b_cannot_reach_county_a_through_query_parameters(cast, login, url):
    resp = login(cast.officer_b).get(url)
    assert resp.status_code == 404


def test_searches_do_not_leak(cast, login):
    client = login(cast.officer_b)
    for url in ["/orgs/?q=东湖", "/orgs/tree/?q=东湖", "/api/v1/orgs?q=东湖", "/orgs/?q=GA&export=xlsx",
                "/orgs/pick/?q=东湖", "/orgs/pick/?q=GA", "/orgs/pick/?browse=CA1", "/cases/?org=GA",
                "/members/?union=GA"]:
        resp = client.get(url)
        assert resp.status_code == 200
        assert "东湖机械厂" not in resp.content.decode(errors="replace")


def test_grassroots_officer_sees_only_their_union(cast, login):
    client = login(cast.grassroots_officer)
    assert client.get("/orgs/GA/").status_code == 200
    assert client.get("/orgs/GA-B/").status_code == 200
    for code in ("CA", "CA1", "GB", "CITY"):
        assert client.get(f"/orgs/{code}/").status_code == 404
    assert client.get("/orgs/GA/move/").status_code == 403
