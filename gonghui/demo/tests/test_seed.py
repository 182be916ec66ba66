import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.core.audit import verify_chain
from gonghui.demo.seed import seed
from gonghui.orgs.models import Org


def _snapshot():
    return list(Org.objects.order_by("code").values_list("code", "name", "uscc", "employee_count"))


@pytest.mark.django_db(transaction=True)
def test_seed_is_deterministic_and_realistic():
    seed(seed=7, per_township=3, members=60)
    first = _snapshot()
    from gonghui.casework.models import Case
    from gonghui.members.models import Membership

    members_first = sorted(Membership.objects.values_list("person__name", "union__code", "joined_on"))
    cases_first = sorted(Case.objects.values_list("worker_name", "topic", "state", "holder_org__code"))
    call_command("flush", interactive=False)
    seed(seed=7, per_township=3, members=60)
    assert _snapshot() == first
    assert sorted(Membership.objects.values_list("person__name", "union__code", "joined_on")) == members_first
    # Requests at every stage, handled by the county and 城关街道, colored by the tick.
    assert sorted(Case.objects.values_list("worker_name", "topic", "state", "holder_org__code")) == cases_first
    assert set(Case.objects.values_list("state", flat=True)) >= {"received", "dispatched", "accepted",
                                                                 "in_progress", "replied", "closed"}
    assert Case.objects.filter(paused_since__isnull=False).exists()
    levels = set(Org.objects.values_list("level", flat=True))
    assert {"city", "county", "township", "grassroots", "industry"} <= levels
    assert Org.objects.filter(level="county").count() == 3 and Org.objects.filter(level="township").count() == 20
    assert verify_chain().ok


@pytest.mark.django_db
def test_seed_refuses_under_production_settings(settings):
    settings.GONGHUI_DEMO_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("seed", "--members", "0")
    assert not Org.objects.exists()


@pytest.mark.django_db
def test_seed_if_empty_does_nothing_on_a_used_database(capsys):
    seed(seed=1, per_township=1, members=0)
    n = Org.objects.count()
    call_command("seed", "--if-empty")
    assert Org.objects.count() == n
    assert "Demo-2026-gh" in capsys.readouterr().out
