import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from gonghui.casework import intake, services
from gonghui.casework.models import Case, Intake, State
from gonghui.casework.testing import log_case, monday_2_march_2026
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.members.models import Consent
from gonghui.portal import views_requests

PHONE = "13912345678"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def form_data(**overrides) -> dict:
    data = {"org": "CA", "worker_name": "刘强", "phone": PHONE, "workplace": "东湖建筑公司", "category": "solution",
            "topic": "wages", "subject": "欠薪两个月", "description": "工地拖欠两个月工资。", "consent": "on",
            "notice_version": intake.REQUEST_NOTICE_VERSION}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def clock(monkeypatch):
    return monday_2_march_2026(monkeypatch)


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_urls():
    assert reverse("portal:request_new") == "/requests/new/"
    assert reverse("portal:request_track") == "/requests/track/"
    assert reverse("portal:request_done") == "/requests/done/"
    assert reverse("portal:request_rate") == "/requests/track/rate/"


# A web request filed from a phone

def test_a_worker_files_a_request_from_a_phone(cast, client):
    page = client.get(reverse("portal:request_new"))
    html = page.content.decode()
    assert page.status_code == 200 and "东湖区总工会" in html and "西山县总工会" in html
    assert "东湖机械厂工会" not in html  # the picker lists city and county federations
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]
    r = client.post(reverse("portal:request_new"), form_data(), HTTP_USER_AGENT=IPHONE)
    assert r.status_code == 302 and r["Location"] == reverse("portal:request_done")
    case = Case.objects.get()
    assert (case.channel, case.holder_org, case.state) == ("mobile", cast.county_a, "received")
    assert case.worker_name == "刘强"
    assert case.consent.purpose == "request" and case.consent.notice_version == intake.REQUEST_NOTICE_VERSION
    done = client.get(reverse("portal:request_done"))
    assert case.code in done.content.decode() and PHONE not in done.content.decode()
    assert PHONE not in r["Location"]


def test_from_a_desktop_the_channel_is_web(cast, client):
    client.post(reverse("portal:request_new"), form_data(), HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64)")
    assert Case.objects.get().channel == "web"


def test_a_unions_own_link_sends_the_request_there(cast, client):
    url = reverse("portal:request_new") + "?to=GA"
    page = client.get(url)
    assert "东湖机械厂工会" in page.content.decode() and 'id="request-target"' in page.content.decode()
    r = client.post(url, form_data(org="CB"))  # the hidden choice cannot be swapped
    assert r.status_code == 200 and Case.objects.count() == 0
    r = client.post(url, form_data(org="GA"))
    assert r.status_code == 302 and Case.objects.get().holder_org == cast.grassroots_a
    assert client.get(reverse("portal:request_new") + "?to=NOPE").status_code == 404


def test_without_consent_nothing_is_stored(cast, client):
    with translation.override("en"):
        r = client.post(reverse("portal:request_new"), form_data(consent=None))
    assert r.status_code == 200 and b'id="field-consent"' in r.content
    assert Case.objects.count() == 0 and Consent.objects.count() == 0
    assert "刘强" in r.content.decode()  # what was typed is kept


def test_a_changed_notice_is_shown_again(cast, client):
    r = client.post(reverse("portal:request_new"), form_data(notice_version="2020-01"))
    assert Case.objects.count() == 0 and r.status_code == 200


@pytest.mark.parametrize(("overrides", "field"), [
    ({"phone": "0571-87654321"}, "phone"), ({"phone": ""}, "phone"), ({"worker_name": ""}, "worker_name"),
    ({"topic": ""}, "topic"), ({"description": ""}, "description"), ({"org": ""}, "org"), ({"org": "GA"}, "org"),
    ({"subject": "x" * 101}, "subject"),
])
def test_bad_input_names_the_field(cast, client, overrides, field):
    r = client.post(reverse("portal:request_new"), form_data(**overrides))
    assert r.status_code == 200 and Case.objects.count() == 0
    assert f'id="field-{field}"' in r.content.decode() or "alert-danger" in r.content.decode()
    assert "invalid-feedback" in r.content.decode() or "alert-danger" in r.content.decode()


def test_a_second_request_on_the_same_matter_is_its_own_case_and_reveals_nothing(cast, client):
    # Issue 10 §6: anyone may type anyone's phone; the answer and the earlier case must not depend on it.
    existing = log_case(cast.officer_a, phone=PHONE)
    r = client.post(reverse("portal:request_new"), form_data(), follow=True)
    html = r.content.decode()
    new = Case.objects.exclude(pk=existing.pk).get()
    assert new.repeat_of == existing and Intake.objects.filter(case=existing).count() == 1
    assert existing.events.count() == 1 and Case.objects.get(pk=existing.pk).description == existing.description
    assert new.code in html and existing.code not in html and "并入" not in html
    fresh = client.post(reverse("portal:request_new"), form_data(phone="13800001111"), follow=True).content.decode()
    assert fresh.replace(Case.objects.latest("pk").code, "X") == html.replace(new.code, "X")


def test_submissions_are_rate_limited(cast, client, monkeypatch):
    monkeypatch.setattr(views_requests, "SUBMIT_LIMIT", (2, 3600))
    for i in range(2):
        client.post(reverse("portal:request_new"), form_data(phone=f"1391234000{i}"))
    r = client.post(reverse("portal:request_new"), form_data(phone="13912340009"))
    assert r.status_code == 429 and Case.objects.count() == 2


# Tracking, and a worker rating the reply

def _track(client, code, last4):
    return client.post(reverse("portal:request_track"), {"code": code, "last4": last4})


def test_tracking_shows_the_progress_and_the_missing_papers(cast, clock, client):
    case = log_case(cast.officer_a, phone=PHONE)
    services.case_pause(actor=actor_for(cast.officer_a), case=case, missing=["工资条", "劳动合同"])
    r = _track(client, case.code.lower(), "5678")
    html = r.content.decode()
    assert r.status_code == 200 and 'data-status="papers"' in html
    assert "工资条" in html and "劳动合同" in html and "东湖区总工会" in html
    assert PHONE not in html and "陈" not in html  # neither the phone nor staff-only notes
    assert "no-cache" in r["Cache-Control"] or "no-store" in r["Cache-Control"]
    assert client.get(reverse("portal:request_track")).content.decode().count(case.code) >= 1  # remembered


def test_tracking_answers_the_same_for_unknown_codes_and_wrong_digits(cast, client):
    case = log_case(cast.officer_a, phone=PHONE)
    wrong = _track(client, case.code, "0000")
    unknown = _track(client, "ABCDEFGHJK", "5678")
    assert wrong.status_code == unknown.status_code == 200
    assert b'id="track-not-found"' in wrong.content and b'id="track-not-found"' in unknown.content
    assert b'id="request-status"' not in wrong.content and "东湖区总工会" not in wrong.content.decode()
    assert client.get(reverse("portal:request_track") + f"?code={case.code}&last4=5678").content.count(
        case.code.encode()) == 0  # GET never looks anything up


def test_wrong_digits_lock_the_code(cast, client, monkeypatch):
    monkeypatch.setattr(views_requests, "TRACK_CODE_FAILURES", (3, 3600))
    case = log_case(cast.officer_a, phone=PHONE)
    for _ in range(3):
        _track(client, case.code, "0000")
    assert _track(client, case.code, "5678").status_code == 429


def test_a_worker_rates_the_reply(cast, clock, client):
    case = log_case(cast.officer_a, phone=PHONE)
    r = _track(client, case.code, "5678")
    assert b'id="rate-form"' not in r.content  # no reply yet
    services.case_reply(actor=actor_for(cast.officer_a), case=case, reply="企业已承诺月底前补发工资。")
    r = _track(client, case.code, "5678")
    html = r.content.decode()
    assert 'id="rate-form"' in html and "企业已承诺月底前补发工资。" in html
    r = client.post(reverse("portal:request_rate"), {"satisfaction": ""})
    assert r.status_code == 422
    r = client.post(reverse("portal:request_rate"), {"satisfaction": "satisfied", "comment": "谢谢"})
    assert r.status_code == 302 and r["Location"] == reverse("portal:request_track")
    case.refresh_from_db()
    assert (case.state, case.satisfaction, case.rated_via, case.rating_comment) == (
        State.FOLLOWED_UP, "satisfied", "worker", "谢谢")
    html = client.get(reverse("portal:request_track")).content.decode()
    assert 'id="request-rated"' in html and 'id="rate-form"' not in html
    assert client.post(reverse("portal:request_rate"), {"satisfaction": "dissatisfied"}).status_code == 422
    case.refresh_from_db()
    assert case.satisfaction == "satisfied"
    assert AuditEvent.objects.filter(action="case.rate").count() == 1


def test_rating_needs_a_lookup_in_this_browser(cast, clock, client):
    case = log_case(cast.officer_a, phone=PHONE)
    services.case_reply(actor=actor_for(cast.officer_a), case=case, reply="已答复")
    r = client.post(reverse("portal:request_rate"), {"satisfaction": "dissatisfied"})
    assert r.status_code == 302 and r["Location"] == reverse("portal:request_track")
    case.refresh_from_db()
    assert case.satisfaction == ""
    _track(client, case.code, "5678")
    client.get(reverse("portal:request_track") + "?forget=1")
    client.post(reverse("portal:request_rate"), {"satisfaction": "dissatisfied"})
    case.refresh_from_db()
    assert case.satisfaction == ""


def test_staff_cannot_rate_for_the_worker_through_the_staff_screens(cast, clock, login):
    case = log_case(cast.officer_a, phone=PHONE)
    services.case_reply(actor=actor_for(cast.officer_a), case=case, reply="已答复")
    client = login(cast.officer_b)
    assert client.post(reverse("portal:request_rate"), {"satisfaction": "satisfied"}).status_code == 302
    case.refresh_from_db()
    assert case.rated_via == ""


def test_a_linked_repeat_tracks_as_a_plain_closed_request(cast, clock, client):
    # Whoever typed the phone learns from the tracking page nothing about another request of that phone.
    earlier = log_case(cast.officer_a, phone=PHONE)
    repeat = intake.case_file_public(org=cast.county_a, data=form_data(), ip=None, mobile=True,
                                     consent_version=intake.REQUEST_NOTICE_VERSION).case
    assert repeat.is_possible_repeat
    intake.case_link_repeat(actor=actor_for(cast.officer_a), case=repeat)
    Case.objects.filter(pk=repeat.pk).update(reply="本诉求已与您此前就同一事项提出的诉求合并办理")  # an older reply
    with translation.override("zh-hans"):
        html = _track(client, repeat.code, "5678").content.decode()
        assert 'data-status="closed"' in html and str(intake.LINKED_REPLY) in html and "办结" in html
    assert earlier.code not in html and "repeat_linked" not in html
    assert "此前" not in html and "合并" not in html and "同一事项" not in html
