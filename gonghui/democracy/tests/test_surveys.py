"""Surveys (微调查): build, open, answer, count, export; who may see them; bad and hostile input; the secrecy of an
anonymous survey's responses."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.core.access import SYSTEM, actor_for
from gonghui.core.figures import Period
from gonghui.core.figures import get as figure
from gonghui.core.identity import mask_numbers
from gonghui.core.models import AuditEvent
from gonghui.members.tests.factories import add_member

from .. import polls, surveys
from ..models import Question, Survey, SurveyAnswer, SurveyResponse, SurveyState
from ..testing_surveys import QUESTIONS, answers_for, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(cast):
    return make_survey(cast)


# --- service ---------------------------------------------------------------------------------------------------

def test_a_survey_collects_answers_and_counts_them(cast, survey):
    plan = [(0, (0, 1), 5, "食堂菜价偏高"), (0, (1,), 4, ""), (1, (1, 3), 3, "希望多组织培训"), (2, (1,), 4, "")]
    for single, multiple, scale, text in plan:
        surveys.response_submit(survey=survey, answers=answers_for(survey, single, multiple, scale, text))
    survey.refresh_from_db()
    assert survey.responses == 4
    r = surveys.results(survey)
    single, multiple, scale, text = r["questions"]
    assert [o["count"] for o in single["options"]] == [2, 1, 1] and single["options"][0]["rate"] == 50.0
    assert single["chart"] == {"type": "pie", "labels": ["满意", "基本满意", "不满意"], "values": [2, 1, 1]}
    assert [o["count"] for o in multiple["options"]] == [1, 4, 0, 1] and multiple["options"][1]["rate"] == 100.0
    assert [p["count"] for p in scale["scale"]] == [0, 0, 1, 2, 1] and scale["mean"] == 4.0
    assert scale["chart"]["labels"][0] == "1 很差" and scale["chart"]["labels"][-1] == "5 很好"
    assert text["answered"] == 2 and text["skipped"] == 2 and "chart" not in text
    assert sorted(surveys.text_answers(Question.objects.get(pk=text["id"]))) == ["希望多组织培训", "食堂菜价偏高"]


def test_an_anonymous_response_keeps_no_person_no_time_and_no_sequence(cast, survey):
    keys = [surveys.response_submit(survey=survey, answers=answers_for(survey, text="我的手机13812345678")).key
            for _ in range(3)]
    rows = SurveyResponse.objects.filter(survey=survey)
    assert all(r.person_id is None and r.submitted_at is None for r in rows)
    assert {r.submitted_on for r in rows} == {timezone.localdate()}
    assert all(len(k) == 20 for k in keys) and len(set(keys)) == 3  # random hex, not a sequence
    # The trail has the survey's events only: no response, no answer's content.
    trail = json.dumps(list(AuditEvent.objects.values("action", "details")), ensure_ascii=False)
    assert "survey_respond" not in trail and "13812345678" not in trail and "手机" not in trail
    # A response of an anonymous survey cannot carry a time of day without a person (a database constraint).
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(survey=survey, org_path=survey.org_path, submitted_on=timezone.localdate(),
                                      submitted_at=timezone.now())
    with pytest.raises(ValueError):
        surveys.response_submit(survey=survey, answers=answers_for(survey),
                                person=add_member(cast.grassroots_officer, cast.grassroots_a).person)


@pytest.mark.parametrize(("change", "message"), [
    (lambda s, qs: {qs[1].pk: ["0"], qs[2].pk: ["3"]}, "第1题“您对食堂是否满意”必须回答"),
    (lambda s, qs: {qs[0].pk: ["7"], qs[1].pk: ["0"], qs[2].pk: ["3"]}, "不是该题的选项"),
    (lambda s, qs: {qs[0].pk: ["0", "1"], qs[1].pk: ["0"], qs[2].pk: ["3"]}, "只能选一项"),
    (lambda s, qs: {qs[0].pk: ["0"], qs[1].pk: ["0", "1", "2"], qs[2].pk: ["3"]}, "最多选2项，选了3项"),
    (lambda s, qs: {qs[0].pk: ["0"], qs[1].pk: ["0"], qs[2].pk: ["9"]}, "请选择1到5之间的数值"),
    (lambda s, qs: {qs[0].pk: ["0"], qs[1].pk: ["0"], qs[2].pk: ["x"]}, "请选择1到5之间的数值"),
    (lambda s, qs: {qs[0].pk: ["0"], qs[1].pk: ["0"], qs[2].pk: ["3"], qs[3].pk: ["长" * 51]}, "51个字"),
])
def test_bad_answers_are_refused_naming_the_question(cast, survey, change, message):
    qs = surveys.questions_of(survey)
    with pytest.raises(ValidationError) as exc:
        surveys.response_submit(survey=survey, answers=change(survey, qs))
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert not SurveyResponse.objects.filter(survey=survey).exists()
    assert Survey.objects.get(pk=survey.pk).responses == 0


def test_answers_naming_questions_of_another_survey_or_none_are_refused(cast, survey):
    other = make_survey(cast, title="另一份问卷")
    foreign = answers_for(other)
    for answers in (foreign, {**answers_for(survey), 999999: ["0"]}, {**answers_for(survey), "x": ["0"]}):
        with pytest.raises(ValidationError, match="不属于本问卷"):
            surveys.response_submit(survey=survey, answers=answers)
    assert not SurveyResponse.objects.exists()


def test_the_response_limit_holds_even_against_a_stale_survey(cast):
    survey = make_survey(cast, response_limit=2)
    stale = Survey.objects.get(pk=survey.pk)  # read before anyone answered: its counter says 0
    surveys.response_submit(survey=stale, answers=answers_for(survey))
    surveys.response_submit(survey=stale, answers=answers_for(survey))
    with pytest.raises(surveys.SurveyRefused, match="已收满"):
        surveys.response_submit(survey=stale, answers=answers_for(survey))
    assert SurveyResponse.objects.filter(survey=survey).count() == 2 == Survey.objects.get(pk=survey.pk).responses
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses a counter past the limit
        Survey.objects.filter(pk=survey.pk).update(responses=3)


def test_not_open_closed_or_past_the_window_is_refused(cast):
    draft = make_survey(cast, open_it=False)
    with pytest.raises(surveys.SurveyRefused, match="尚未开放"):
        surveys.response_submit(survey=draft, answers=answers_for(draft))
    survey = make_survey(cast, title="已结束")
    with pytest.raises(surveys.SurveyRefused, match="已结束"):
        surveys.response_submit(survey=survey, answers=answers_for(survey), now=survey.closes_at)
    surveys.survey_close(actor=actor_for(cast.officer_a), survey=survey)
    with pytest.raises(surveys.SurveyRefused, match="已结束"):
        surveys.response_submit(survey=survey, answers=answers_for(survey))


def test_an_identified_survey_takes_one_response_per_member(cast):
    survey = make_survey(cast, anonymous=False)
    m = add_member(cast.grassroots_officer, cast.grassroots_a, name="张秀英", phone="13612345678")
    assert surveys.respondent_find(survey=survey, id_number=m.person.id_number, phone_last4="0000") is None
    person = surveys.respondent_find(survey=survey, id_number=m.person.id_number, phone_last4="5678")
    assert person == m.person
    r = surveys.response_submit(survey=survey, answers=answers_for(survey), person=person)
    assert r.person_id == person.pk and r.submitted_at is not None
    with pytest.raises(surveys.SurveyRefused, match="已经回答"):
        surveys.response_submit(survey=survey, answers=answers_for(survey), person=person)
    assert Survey.objects.get(pk=survey.pk).responses == 1
    event = AuditEvent.objects.get(action="democracy.survey_respond")
    assert event.details == {"person": person.uid}
    with pytest.raises(surveys.SurveyRefused):
        surveys.response_submit(survey=survey, answers=answers_for(survey))  # nobody named
    # A member of another county is not one of this survey's respondents.
    b = add_member(cast.officer_b, cast.grassroots_b, name="李强", phone="13712345678")
    assert surveys.respondent_find(survey=survey, id_number=b.person.id_number, phone_last4="5678") is None


def test_questions_change_only_while_draft(cast):
    actor = actor_for(cast.officer_a)
    survey = make_survey(cast, open_it=False)
    q1, q2, q3, q4 = surveys.questions_of(survey)
    surveys.question_move(actor=actor, question=q3, direction="up")
    assert [q.pk for q in surveys.questions_of(survey)] == [q1.pk, q3.pk, q2.pk, q4.pk]
    surveys.question_delete(actor=actor, question=q1)
    assert [(q.pk, q.position) for q in surveys.questions_of(survey)] == [(q3.pk, 1), (q2.pk, 2), (q4.pk, 3)]
    surveys.question_edit(actor=actor, question=q4, kind="text", text="还有什么想说的", required=False, max_length=300)
    with pytest.raises(ValidationError) as exc:
        surveys.question_add(actor=actor, survey=survey, kind="single", text="只有一个选项", options=["是"])
    assert "options" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        surveys.question_add(actor=actor, survey=survey, kind="scale", text="打分", scale_min=5, scale_max=1)
    assert "scale_max" in exc.value.message_dict
    surveys.survey_open(actor=actor, survey=survey)
    with pytest.raises(ValidationError, match="不能再修改"):
        surveys.question_add(actor=actor, survey=survey, kind="text", text="迟到的问题")
    with pytest.raises(ValidationError, match="不能再修改"):
        surveys.question_delete(actor=actor, question=q2)
    empty = surveys.survey_create(actor=actor, org=cast.county_a, title="空问卷", opens_at=timezone.now(),
                                  closes_at=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="至少添加一个问题"):
        surveys.survey_open(actor=actor, survey=empty)


def test_the_tick_closes_surveys_past_their_window(cast, survey):
    assert polls.polls_tick(now=timezone.now())["surveys_closed"] == 0
    assert polls.polls_tick(now=survey.closes_at + datetime.timedelta(seconds=1))["surveys_closed"] == 1
    survey.refresh_from_db()
    assert survey.state == SurveyState.CLOSED and survey.closed_at is not None
    assert surveys.close_due(now=survey.closes_at + datetime.timedelta(days=1)) == 0


def test_figure_counts_questionnaires_returned_in_the_subtree_and_period(cast, survey):
    for _ in range(3):
        surveys.response_submit(survey=survey, answers=answers_for(survey))
    grassroots = make_survey(cast, user=cast.grassroots_officer, org=cast.grassroots_a, title="厂里的调查")
    surveys.response_submit(survey=grassroots, answers=answers_for(grassroots))
    year = Period.parse(str(timezone.localdate().year))
    f = figure("democracy.questionnaires")
    assert f.compute(cast.county_a, year) == 4
    assert f.compute(cast.grassroots_a, year) == 1
    assert f.compute(cast.county_b, year) == 0
    assert f.compute(cast.county_a, Period.parse(str(timezone.localdate().year - 1))) == 0


def test_mask_numbers_hides_ids_and_mobiles_in_free_text():
    assert mask_numbers("电话13812345678，身份证110101199003071234") == "电话138****5678，身份证110***********1234"
    assert mask_numbers("工号 20261234 共 3 人") == "工号 20261234 共 3 人"


# --- pages: who may see what -----------------------------------------------------------------------------------

def test_pages_open_for_their_users(cast, login, survey):
    c = login(cast.officer_a)
    for url in ("/democracy/surveys/", f"/democracy/surveys/{survey.pk}/", "/democracy/surveys/new/",
                f"/democracy/surveys/{survey.pk}/results/"):
        assert c.get(url).status_code == 200, url
    assert "2026年职工满意度微调查" in c.get("/democracy/surveys/").content.decode()
    page = c.get(f"/democracy/surveys/{survey.pk}/").content.decode()
    assert survey.public_token in page and "<svg" in page
    a = login(cast.auditor_a)
    assert a.get(f"/democracy/surveys/{survey.pk}/results/").status_code == 200
    assert a.post(f"/democracy/surveys/{survey.pk}/close/").status_code == 403


def test_other_county_grassroots_and_anonymous_are_refused(cast, login, client, survey):
    q = surveys.questions_of(survey)[0]
    assert client.get(f"/democracy/surveys/{survey.pk}/").status_code == 302
    assert client.get(f"/api/v1/democracy/surveys/{survey.pk}").status_code == 401
    b = login(cast.officer_b)
    for url in (f"/democracy/surveys/{survey.pk}/", f"/democracy/surveys/{survey.pk}/results/",
                f"/democracy/surveys/{survey.pk}/export/", f"/democracy/surveys/questions/{q.pk}/",
                f"/api/v1/democracy/surveys/{survey.pk}", f"/api/v1/democracy/surveys/{survey.pk}/results",
                f"/api/v1/democracy/surveys/questions/{q.pk}/texts"):
        assert b.get(url).status_code == 404, url
    assert b.post(f"/democracy/surveys/{survey.pk}/close/").status_code == 404
    assert "2026年职工满意度微调查" not in b.get("/democracy/surveys/").content.decode()
    assert b.get("/api/v1/democracy/surveys").json()["count"] == 0
    g = login(cast.grassroots_officer)  # a grassroots officer: the county's survey is above them
    assert g.get(f"/democracy/surveys/{survey.pk}/").status_code == 404
    assert g.post(f"/democracy/surveys/{survey.pk}/close/").status_code == 404
    assert Survey.objects.get(pk=survey.pk).state == SurveyState.OPEN
    assert not AuditEvent.objects.filter(action="democracy.survey_export").exists()


def test_build_open_and_close_through_the_pages(cast, login):
    c = login(cast.officer_a)
    now = timezone.localtime()
    r = c.post("/democracy/surveys/new/", {"title": "", "opens_at": "2026-12-01T08:00",
                                           "closes_at": "2026-11-01T08:00"})
    assert r.status_code == 422 and {"title", "closes_at"} <= set(r.context["form"].errors)
    r = c.post("/democracy/surveys/new/", {
        "title": "食堂满意度调查", "anonymous": "on", "response_limit": "100",
        "opens_at": (now - timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 302
    survey = Survey.objects.get(title="食堂满意度调查")
    assert survey.anonymous and survey.response_limit == 100 and survey.org == cast.county_a
    r = c.post(f"/democracy/surveys/{survey.pk}/questions/", {"kind": "single", "text": "口味如何", "options": "好"})
    assert r.status_code == 422 and "options" in r.context["question_form"].errors
    assert r.context["question_form"]["text"].value() == "口味如何"
    for data in ({"kind": "single", "text": "口味如何", "required": "on", "options": "好\n一般\n差"},
                 {"kind": "text", "text": "建议", "max_length": "200"}):
        assert c.post(f"/democracy/surveys/{survey.pk}/questions/", data).status_code == 302
    q2 = surveys.questions_of(survey)[1]
    assert c.post(f"/democracy/surveys/questions/{q2.pk}/move/", {"direction": "up"}).status_code == 302
    assert surveys.questions_of(survey)[0].pk == q2.pk
    r = c.post(f"/democracy/surveys/questions/{q2.pk}/", {"kind": "text", "text": "您的建议", "max_length": "300"})
    assert r.status_code == 302 and Question.objects.get(pk=q2.pk).max_length == 300
    assert c.post(f"/democracy/surveys/{survey.pk}/open/").status_code == 302
    assert Survey.objects.get(pk=survey.pk).state == SurveyState.OPEN
    r = c.post(f"/democracy/surveys/{survey.pk}/questions/", {"kind": "text", "text": "迟到", "max_length": "20"})
    assert r.status_code == 422
    assert c.post(f"/democracy/surveys/{survey.pk}/close/").status_code == 302
    assert Survey.objects.get(pk=survey.pk).state == SurveyState.CLOSED


def test_export_has_a_row_per_response_and_masks_numbers(cast, login, survey):
    from python_calamine import CalamineWorkbook

    surveys.response_submit(survey=survey, answers=answers_for(survey, 0, (0, 1), 5, "联系我13812345678"))
    surveys.response_submit(survey=survey, answers=answers_for(survey, 2, (3,), 1))
    r = login(cast.officer_a).get(f"/democracy/surveys/{survey.pk}/export/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    header = next(i for i, row in enumerate(rows) if str(row[1]).startswith("1. "))
    assert rows[header][1:] == [f"{i}. {q['text']}" for i, q in enumerate(QUESTIONS, start=1)]
    body = rows[header + 1:]
    assert len(body) == 2
    cells = {tuple(str(c) for c in row[1:]) for row in body}
    assert ("满意", "文体活动；技能培训", "5.0", "联系我138****5678") in cells or \
        ("满意", "文体活动；技能培训", "5", "联系我138****5678") in cells
    assert "13812345678" not in r.content.decode("latin-1")
    assert AuditEvent.objects.filter(action="democracy.survey_export", object_id=str(survey.pk)).exists()


# --- the portal ------------------------------------------------------------------------------------------------

def _post(client, survey, answers: dict, **extra):
    data = {f"q{k}": v for k, v in answers.items()}
    return client.post(reverse("portal:survey", args=[survey.public_token]), {**data, **extra})


def test_answer_on_the_portal_once_per_browser(cast, survey):
    v = Client()
    page = v.get(reverse("portal:survey", args=[survey.public_token]))
    assert page.status_code == 200 and "您对食堂是否满意" in page.content.decode()
    r = _post(v, survey, {k: v_ for k, v_ in answers_for(survey).items() if k != surveys.questions_of(survey)[0].pk})
    assert r.status_code == 422 and "第1题" in r.content.decode()
    assert r.context["fields"][1]["choices"][0]["checked"]  # what was chosen is kept
    events = AuditEvent.objects.count()
    r = _post(v, survey, answers_for(survey, text="很好"))
    assert r.status_code == 302 and r["Location"] == reverse("portal:survey_thanks", args=[survey.public_token])
    assert AuditEvent.objects.count() == events  # an anonymous answer leaves nothing in the trail (no address, no time)
    assert v.get(r["Location"]).status_code == 200
    again = v.get(reverse("portal:survey", args=[survey.public_token]))
    assert "已经在这个浏览器上回答过" in again.content.decode() and "survey-form" not in again.content.decode()
    assert _post(v, survey, answers_for(survey)).status_code == 409
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert Client().get(reverse("portal:survey", args=["no-such-token"])).status_code == 404


def test_the_portal_refuses_politely_when_not_open_closed_or_full(cast):
    draft = make_survey(cast, open_it=False)
    assert "尚未开放" in Client().get(reverse("portal:survey", args=[draft.public_token])).content.decode()
    full = make_survey(cast, title="满额", response_limit=1)
    surveys.response_submit(survey=full, answers=answers_for(full))
    r = _post(Client(), full, answers_for(full))
    assert r.status_code == 409 and "已收满" in r.content.decode()
    later = make_survey(cast, title="未开始", opens_at=timezone.now() + datetime.timedelta(days=1),
                        closes_at=timezone.now() + datetime.timedelta(days=2))
    assert "开始答题" in Client().get(reverse("portal:survey", args=[later.public_token])).content.decode()
    surveys.survey_close(actor=SYSTEM, survey=full)
    assert "已结束" in Client().get(reverse("portal:survey", args=[full.public_token])).content.decode()


def test_hostile_posts_write_nothing(cast, survey):
    other = make_survey(cast, title="别的问卷")
    v = Client()
    assert _post(v, survey, answers_for(other)).status_code == 422  # another survey's questions
    assert _post(v, survey, {**answers_for(survey), 2_000_000: ["1"]}).status_code == 422  # unknown question
    qs = surveys.questions_of(survey)
    r = _post(v, survey, {**answers_for(survey), qs[3].pk: ["字" * 100_000]})  # a huge text
    assert r.status_code == 422 and "100000个字" in r.content.decode()
    assert _post(v, survey, {**answers_for(survey), qs[0].pk: ["<script>alert(1)</script>"]}).status_code == 422
    assert v.post(reverse("portal:survey", args=["x" * 40]), {}).status_code == 404  # a wrong token
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()
    assert Survey.objects.get(pk=survey.pk).responses == 0


def test_identified_survey_on_the_portal(cast):
    survey = make_survey(cast, anonymous=False, title="实名调查")
    m = add_member(cast.grassroots_officer, cast.grassroots_a, name="陈秀兰", phone="13712345678")
    v = Client()
    page = v.get(reverse("portal:survey", args=[survey.public_token])).content.decode()
    assert "id_phone_last4" in page and "不是匿名" in page
    r = _post(v, survey, answers_for(survey), id_number=m.person.id_number, phone_last4="1111")
    assert r.status_code == 422 and "东湖区总工会" in r.content.decode()
    r = _post(v, survey, answers_for(survey), id_number=m.person.id_number, phone_last4="5678")
    assert r.status_code == 302
    r = _post(Client(), survey, answers_for(survey), id_number=m.person.id_number, phone_last4="5678")
    assert r.status_code == 409 and "已经回答" in r.content.decode()
    assert SurveyResponse.objects.get(survey=survey).person == m.person


def test_the_portal_post_is_rate_limited(cast, survey, monkeypatch):
    from gonghui.portal import surveys as portal_surveys

    monkeypatch.setattr(portal_surveys, "ANSWER_LIMIT", (2, 600))
    v = Client()
    for _ in range(2):
        _post(v, survey, {999: ["x"]})
    assert _post(v, survey, answers_for(survey)).status_code == 429
    assert not SurveyResponse.objects.exists()


# --- API ------------------------------------------------------------------------------------------------------

def test_api_creates_lists_and_counts(cast, login, survey):
    c = login(cast.officer_a)
    now = timezone.now()
    payload = {"org": "ca", "title": "接口创建的问卷", "anonymous": True, "opens_at": now.isoformat(),
               "closes_at": (now + datetime.timedelta(days=2)).isoformat(),
               "questions": [{"kind": "single", "text": "是否参加", "options": ["是", "否"]},
                             {"kind": "multiple", "text": "坏的问题", "options": ["只有一个"]}]}
    r = c.post("/api/v1/democracy/surveys", payload, content_type="application/json")
    assert r.status_code == 422 and "第2题" in r.json()["detail"][0]["message"]
    assert not Survey.objects.filter(title="接口创建的问卷").exists()  # all or nothing
    payload["questions"].pop()
    r = c.post("/api/v1/democracy/surveys", payload, content_type="application/json")
    assert r.status_code == 201 and r.json()["state"] == "draft" and len(r.json()["questions"]) == 1
    pk = r.json()["id"]
    assert c.post(f"/api/v1/democracy/surveys/{pk}/open").json()["state"] == "open"
    surveys.response_submit(survey=survey, answers=answers_for(survey, text="电话13812345678"))
    res = c.get(f"/api/v1/democracy/surveys/{survey.pk}/results").json()
    assert res["responses"] == 1 and res["questions"][0]["options"][0]["count"] == 1
    text_q = surveys.questions_of(survey)[3].pk
    texts = c.get(f"/api/v1/democracy/surveys/questions/{text_q}/texts").json()
    assert texts["items"] == ["电话138****5678"]
    listed = c.get("/api/v1/democracy/surveys").json()
    assert {s["title"] for s in listed["items"]} >= {"接口创建的问卷", "2026年职工满意度微调查"}
    g = login(cast.grassroots_officer)
    r = g.post("/api/v1/democracy/surveys", {**payload, "org": "CA"}, content_type="application/json")
    assert r.status_code == 404  # the county is above the grassroots officer


@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_never_pass_the_limit():
    """Eight respondents at once for the last two places (PostgreSQL: each thread has its own connection)."""
    import threading

    from django.db import connection, connections

    from gonghui.testing import build_cast

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: there is no concurrency to test")
    survey = make_survey(build_cast(), response_limit=2)
    answers = answers_for(survey)
    start = threading.Barrier(8)
    outcomes = []

    def answer():
        try:
            start.wait()
            surveys.response_submit(survey=survey, answers=answers)
            outcomes.append("ok")
        except surveys.SurveyRefused:
            outcomes.append("full")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["full"] * 6 + ["ok"] * 2
    assert SurveyResponse.objects.filter(survey=survey).count() == 2 == Survey.objects.get(pk=survey.pk).responses
