"""The polls' pages and the voting pages: open for their users, 404 outside the subtree, refusals in Chinese that
keep the input, the code sheet, the published result with a voter's own ballot."""

import io
import json

import pytest
from django.urls import reverse

from gonghui.core.access import actor_for
from gonghui.core.figures import Period
from gonghui.core.figures import get as figure

from .. import polls
from ..models import Poll, PollState, VotingCode
from ..testing import all_answers, make_poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll(cast):
    return make_poll(cast, size=4)


def test_pages_open_for_their_users(cast, login, poll):
    c = login(cast.officer_a)
    for url in ("/democracy/polls/", f"/democracy/polls/{poll.pk}/", "/democracy/polls/new/", "/democracy/criteria/"):
        assert c.get(url).status_code == 200, url
    assert "2026年度领导干部民主测评" in c.get("/democracy/polls/").content.decode()
    a = login(cast.auditor_a)
    assert a.get(f"/democracy/polls/{poll.pk}/").status_code == 200
    assert a.post(f"/democracy/polls/{poll.pk}/close/").status_code == 403


def test_other_county_grassroots_and_anonymous_are_refused(cast, login, client, poll):
    assert client.get(f"/democracy/polls/{poll.pk}/").status_code == 302
    b = login(cast.officer_b)
    for url in (f"/democracy/polls/{poll.pk}/", f"/democracy/polls/{poll.pk}/export/"):
        assert b.get(url).status_code == 404, url
    assert b.post(f"/democracy/polls/{poll.pk}/print/", {"count": 2}).status_code == 404
    assert b.post(f"/democracy/polls/{poll.pk}/close/").status_code == 404
    assert "2026年度领导干部民主测评" not in b.get("/democracy/polls/").content.decode()
    g = login(cast.grassroots_officer)  # a grassroots union's officer: a county poll is above them
    assert g.get(f"/democracy/polls/{poll.pk}/").status_code == 404
    assert g.post("/democracy/criteria/", {"name": "x", "scale": "competence", "criteria": "a"}).status_code == 403
    assert Poll.objects.get(pk=poll.pk).codes_issued == 0


def test_set_up_refused_keeps_input_and_names_the_field(cast, login):
    c = login(cast.officer_a)
    r = c.post("/democracy/polls/new/", {"kind": "assessment", "title": "测评", "criteria_set": "1",
                                         "subjects": "", "electorate": "on_site", "electorate_size": "",
                                         "opens_at": "2026-12-01T08:00", "closes_at": "2026-11-01T08:00"})
    assert r.status_code == 422
    errors = r.context["form"].errors
    assert "subjects" in errors and "electorate_size" in errors
    assert r.context["form"]["title"].value() == "测评"


def test_set_up_print_the_sheet_vote_close_publish_through_the_pages(cast, login, client):
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from gonghui.democracy.testing import five_questions

    c = login(cast.officer_a)
    now = timezone.localtime()
    r = c.post("/democracy/polls/new/", {
        "kind": "assessment", "title": "班子测评", "criteria_set": str(five_questions().pk),
        "subjects": "王明，工会主席\n领导班子", "electorate": "on_site", "electorate_size": "3",
        "opens_at": (now - timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    poll = Poll.objects.get(title="班子测评")
    r = c.post(f"/democracy/polls/{poll.pk}/print/", {"count": "5"})
    assert r.status_code == 422 and r.context["print_form"].errors["count"]
    r = c.post(f"/democracy/polls/{poll.pk}/print/", {"count": "3"})
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    codes = [cell for row in rows for cell in row if isinstance(cell, str) and len(cell) == 19
             and polls.clean_code(cell) == cell]
    assert len(codes) == 3
    assert VotingCode.objects.filter(poll=poll).count() == 3

    v = client  # the voter, not signed in (another client)
    from django.test import Client

    v = Client()
    assert v.post(reverse("portal:vote"), {"code": "AAAA-BBBB"}).status_code == 422
    page = v.post(reverse("portal:vote"), {"code": codes[0].lower()})
    assert page.status_code == 200 and "王明" in page.content.decode()
    data = {"code": codes[0], "a1_0": "优秀"}
    r = v.post(reverse("portal:vote_cast"), data)
    assert r.status_code == 422 and "每一项" in r.content.decode()  # incomplete: refused, code kept
    for s in (1, 2):
        for ci in range(5):
            data[f"a{s}_{ci}"] = "称职"
    r = v.post(reverse("portal:vote_cast"), data)
    assert r.status_code == 200
    receipt = r.context["tracking"]
    r = v.post(reverse("portal:vote_cast"), data)
    assert r.status_code == 422 and "已使用" in r.content.decode()  # the same code again

    assert c.post(f"/democracy/polls/{poll.pk}/close/").status_code == 302
    poll.refresh_from_db()
    assert poll.state == PollState.CLOSED and poll.result["ballots"] == 1
    x = c.get(f"/democracy/polls/{poll.pk}/export/")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(x.content)).get_sheet_by_index(0).to_python()
    assert any("王明" in str(row[0]) for row in sheet)
    assert v.get(reverse("portal:vote_result", args=[poll.public_token])).status_code == 404  # not published
    assert c.post(f"/democracy/polls/{poll.pk}/publish/", {"days": "30"}).status_code == 302
    res = v.get(reverse("portal:vote_result", args=[poll.public_token]), {"tracking": receipt})
    assert res.status_code == 200 and res.context["found"]["tracking"] == receipt
    assert res.context["found"]["answers"][0] == ("王明", ["称职"] * 5)
    miss = v.get(reverse("portal:vote_result", args=[poll.public_token]), {"tracking": "ABCD-EFGH-JKLM"})
    assert miss.context["looked"] and miss.context["found"] is None
    assert v.get(reverse("portal:vote_result", args=["nope"])).status_code == 404


def test_figures_count_closed_polls_and_turnout(cast):
    import datetime

    actor = actor_for(cast.officer_a)
    for size, voters in ((4, 3), (2, 1)):
        p = make_poll(cast, size=size)
        for code in polls.codes_print(actor=actor, poll=p, count=voters):
            polls.vote_cast(code=code, answers=all_answers(p, lambda s, c: "优秀"))
        polls.poll_close(actor=actor, poll=p)
    make_poll(cast, size=5)  # still open: not counted
    year = datetime.date.today().year
    period = Period.parse(str(year))
    assert figure("democracy.evaluations").compute(cast.city, period) == 2
    assert str(figure("democracy.evaluation_turnout").compute(cast.city, period)) == "66.7"  # 4 of 6
    assert figure("democracy.evaluations").compute(cast.county_b, period) == 0


def test_api_lists_creates_and_reads_the_tally(cast, login):
    from django.utils import timezone

    from gonghui.democracy.testing import five_questions

    window = {"opens_at": (timezone.now() - timezone.timedelta(hours=1)).isoformat(),
              "closes_at": (timezone.now() + timezone.timedelta(days=3)).isoformat()}
    c = login(cast.officer_a)
    r = c.post("/api/v1/democracy/polls", json.dumps({
        "org": cast.county_a.code, "kind": "assessment", "title": "API 测评", "criteria_set_id": five_questions().pk,
        "subjects": ["王明，工会主席"], "electorate": "on_site", "electorate_size": 2, **window}),
        content_type="application/json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    codes = c.post(f"/api/v1/democracy/polls/{pk}/codes", json.dumps({"count": 2}),
                   content_type="application/json").json()
    assert len(codes) == 2
    assert c.get(f"/api/v1/democracy/polls/{pk}/result").status_code == 422
    poll = Poll.objects.get(pk=pk)
    polls.vote_cast(code=codes[0], answers=all_answers(poll, lambda s, ci: "基本称职"))
    assert c.post(f"/api/v1/democracy/polls/{pk}/close").json()["state"] == "closed"
    result = c.get(f"/api/v1/democracy/polls/{pk}/result").json()
    assert result["subjects"][0]["criteria"][0]["counts"] == [0, 0, 1, 0]
    assert c.get(f"/api/v1/democracy/polls/{pk}/ballots").status_code == 422
    c.post(f"/api/v1/democracy/polls/{pk}/publish", json.dumps({}), content_type="application/json")
    ballots = c.get(f"/api/v1/democracy/polls/{pk}/ballots").json()
    assert ballots["count"] == 1 and set(ballots["items"][0]) == {"tracking", "answers", "comment"}
    assert c.get("/api/v1/democracy/polls").json()["count"] == 1
    b = login(cast.officer_b)
    assert b.get(f"/api/v1/democracy/polls/{pk}").status_code == 404
    assert b.get("/api/v1/democracy/polls").json()["count"] == 0
    bad = login(cast.officer_a).post("/api/v1/democracy/polls", json.dumps({
        "org": cast.county_a.code, "kind": "assessment", "title": "", "criteria_set_id": five_questions().pk,
        "subjects": [], "electorate": "on_site", "electorate_size": 0, **window}),
        content_type="application/json")
    assert bad.status_code == 422


def test_codes_for_a_list_of_delegates_by_id_number(cast, login, settings):
    from gonghui.core import notify
    from gonghui.democracy.models import Electorate, PollRecipient
    from gonghui.members.tests.factories import add_member

    settings.GONGHUI_NOTIFY_BACKEND = "gonghui.core.notify.LocmemBackend"
    people = [add_member(cast.grassroots_officer, cast.grassroots_a, name=n, phone=f"1370000{i:04d}").person
              for i, n in enumerate(("代表甲", "代表乙"))]
    poll = make_poll(cast, electorate=Electorate.DELEGATES)
    c = login(cast.officer_a)
    r = c.post(f"/democracy/polls/{poll.pk}/send/", {"id_numbers": f"{people[0].id_number}\n110101199001011237"})
    assert r.status_code == 422 and "第 2 行" in r.content.decode()
    assert not PollRecipient.objects.filter(poll=poll).exists()
    r = c.post(f"/democracy/polls/{poll.pk}/send/",
               {"id_numbers": "\n".join(p.id_number.lower() for p in people)}, follow=True)
    assert r.status_code == 200
    assert PollRecipient.objects.filter(poll=poll).count() == 2
    poll.refresh_from_db()
    assert poll.electorate_size == 2 and poll.codes_issued == 2
    assert not any(p.id_number in m.text for p in people for m in notify.outbox)
