import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from gonghui.core import workdays
from gonghui.core.access import actor_for
from gonghui.core.audit import verify_chain
from gonghui.core.figures import Period
from gonghui.core.figures import compute as compute_figures
from gonghui.demo.clock import played_clock
from gonghui.demo.seed import seed
from gonghui.demo.year import month_start
from gonghui.orgs.models import Org


def _snapshot():
    from gonghui.casework.models import Case
    from gonghui.core.models import Approval
    from gonghui.members.models import JoinApplication, Membership, ServiceCard, Transfer

    return {
        "orgs": list(Org.objects.order_by("code").values_list("code", "name", "uscc", "employee_count")),
        "members": sorted(Membership.objects.values_list("person__name", "union__code", "joined_on", "status")),
        "cases": sorted(Case.objects.values_list("worker_name", "topic", "state", "holder_org__code", "received_on",
                                                 "closed_on", "satisfaction")),
        "applications": sorted(JoinApplication.objects.values_list("name", "union__code", "status")),
        "transfers": sorted(Transfer.objects.values_list("person__name", "from_union__code", "to_union__code",
                                                         "status")),
        "cards": sorted(ServiceCard.objects.values_list("number", "status", "activated_on")),
        "approvals": sorted(Approval.objects.values_list("org__code", "maker__username", "reason", "state")),
    }


def _months():
    """The twelve months of the played year: eleven before this one, and this one."""
    today = timezone.localdate()
    return [month_start(today, back) for back in range(11, -1, -1)]


def _month_period(first: datetime.date) -> Period:
    return Period.parse(f"{first:%Y-%m}")


def _figures(actor, org, period, *keys):
    return {fv.key: fv.value for fv in compute_figures(org, period, actor=actor, keys=list(keys))}


@pytest.mark.django_db(transaction=True)
def test_seed_plays_a_year_deterministically(django_user_model):
    # The year ends now; both runs end at the same moment (else a step due in the minute between them would
    # run in one and not the other), and start from an emptied database (no holiday table from the migration).
    now = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(11, 0)))
    call_command("flush", interactive=False)
    workdays.reset_index()  # flush empties the holiday tables behind the calendar's per-process index
    with played_clock(now):
        seed(seed=7, per_township=3, members=60)
    first = _snapshot()
    call_command("flush", interactive=False)
    workdays.reset_index()
    with played_clock(now):
        seed(seed=7, per_township=3, members=60)
    assert _snapshot() == first  # the same seed, the same year
    levels = set(Org.objects.values_list("level", flat=True))
    assert {"city", "county", "township", "grassroots", "industry"} <= levels
    assert Org.objects.filter(level="county").count() == 3 and Org.objects.filter(level="township").count() == 20

    from gonghui.casework.models import Case

    # Requests at every stage, handled by the county, 城关街道 and the grassroots union.
    assert set(Case.objects.values_list("state", flat=True)) >= {"received", "dispatched", "accepted",
                                                                 "in_progress", "replied", "closed"}
    assert Case.objects.filter(paused_since__isnull=False).exists()
    assert {"LJ-DH", "LJ-DH-01", "LJ"} <= set(Case.objects.values_list("holder_org__code", flat=True))

    # Every month of the year has requests, new members and card activations, on the figures' trend and
    # month by month (the pre-aggregated path).
    city_user = django_user_model.objects.get(username="city")
    city = actor_for(city_user)
    months = _months()
    year = Period.parse(f"{months[0]:%Y-%m-%d}~{timezone.localdate():%Y-%m-%d}")
    trend = dict(_figures(city, city.org, year, "casework.trend")["casework.trend"])
    assert [trend[f"{m:%Y-%m}"] > 0 for m in months] == [True] * 12, trend
    for m in months:
        values = _figures(city, city.org, _month_period(m), "casework.received", "members.new")
        assert values["casework.received"] > 0 and values["members.new"] > 0, (m, values)
    from gonghui.members.models import ServiceCard

    activated = {d.replace(day=1) for d in ServiceCard.objects.filter(activated_on__isnull=False)
                 .values_list("activated_on", flat=True)}
    assert len(activated) >= 6  # a small seed has few cards; spread over the year all the same

    # Work waits in each inbox: requests, applications, transfers, approvals.
    from gonghui.casework.selectors import inbox
    from gonghui.core.approvals import approval_list
    from gonghui.members.applications import application_list
    from gonghui.members.models import ApplicationStatus
    from gonghui.members.transfers import transfer_inbox

    for username in ("donghu", "chengguan", "union"):
        actor = actor_for(django_user_model.objects.get(username=username))
        assert inbox(actor=actor, org=actor.org, tab="open").exists(), username
        assert application_list(actor=actor).filter(status=ApplicationStatus.PENDING).count() >= 3, username
        assert transfer_inbox(actor=actor, box="incoming").count() >= 2, username
        assert approval_list(actor=actor, show="waiting").count() >= 2, username

    # The hardship archive: files at every stage, an objection holding one, 一帮一 with a visit, a card.
    from gonghui.aid.models import HardshipCard, Household, Objection, PairVisit

    states = set(Household.objects.values_list("state", flat=True))
    assert {"draft", "applied", "notice", "filed", "exited"} <= states, states
    assert Objection.objects.filter(state="open", public=True).exists()
    assert Household.objects.filter(state="filed", review_due__lt=timezone.localdate()).exists()
    assert {"deep", "relative", "accident"} <= set(Household.objects.filter(state="filed")
                                                   .values_list("category", flat=True))
    assert PairVisit.objects.exists() and HardshipCard.objects.filter(state="valid").exists()

    # The trail tells the year in order, and the aggregates are what recounting the cases gives.
    from gonghui.core.models import AuditEvent

    times = list(AuditEvent.objects.order_by("id").values_list("at", flat=True))
    assert times == sorted(times)
    assert timezone.localdate(times[0]) == months[0]
    assert verify_chain().ok
    _assert_stats_match_a_recount()


def _assert_stats_match_a_recount():
    from gonghui.casework import stats
    from gonghui.casework.models import CaseStat, IntakeStat

    def rows():
        return (sorted(CaseStat.objects.filter(received__gt=0).values_list(*stats.CASE_KEYS, *stats.CASE_FIELDS)),
                sorted(IntakeStat.objects.filter(intakes__gt=0).values_list(*stats.INTAKE_KEYS,
                                                                            *stats.INTAKE_FIELDS)))

    live = rows()
    stats.rebuild()
    assert rows() == live


@pytest.mark.django_db
def test_seed_refuses_under_production_settings(settings):
    settings.GONGHUI_DEMO_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("seed", "--members", "0")
    assert not Org.objects.exists()


@pytest.mark.django_db
def test_seed_refuses_a_bad_activity():
    with pytest.raises(CommandError, match="--activity"):
        call_command("seed", "--members", "0", "--activity", "-1")
    assert not Org.objects.exists()


@pytest.mark.django_db
def test_seed_if_empty_does_nothing_on_a_used_database(capsys):
    seed(seed=1, per_township=1, members=0, activity=0)
    n = Org.objects.count()
    call_command("seed", "--if-empty")
    assert Org.objects.count() == n
    assert "Demo-2026-gh" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_logins_are_not_expired_after_the_played_year(django_user_model):
    seed(seed=1, per_township=1, members=0, activity=0)
    user = django_user_model.objects.get(username="donghu")
    assert not user.password_expired(90)
    assert timezone.now() - user.password_changed_at < datetime.timedelta(minutes=5)
