"""The pre-aggregated assistance figures (gonghui.aid.stats): kept by the services in their transaction, equal to a
rebuild from the rows and to the same figures counted live; refused writes add nothing; a moved subtree keeps the
aid paths and the rows right."""

import datetime
from contextlib import ExitStack
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gonghui.aid import archive, figures_archive, figures_programs, programs, stats
from gonghui.aid.models import AidStat, Category, Grant, Household, ProgramKind, VisitTarget
from gonghui.aid.testing_archive import filed_household, standard
from gonghui.aid.testing_programs import make_program, member
from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import actor_for
from gonghui.core.figures import Period, all_figures, compute
from gonghui.orgs.services import org_move

D = Decimal
KEYS = [f.key for f in all_figures() if f.key.startswith("aid.")]


def rows() -> dict:
    return {(u, m, k): (n, a) for u, m, k, n, a in AidStat.objects.values_list("unit", "month", "key", "n", "amount")
            if n or a}


def figures(cast, org, key: str, *, live: bool = False) -> dict:
    with ExitStack() as stack:
        if live:
            for module in (figures_archive, figures_programs):
                stack.enter_context(mock.patch.object(module, "whole_months", lambda p: None))
        return {v.key: v.value for v in compute(org, Period.parse(key), actor=actor_for(cast.city_staff), keys=KEYS)}


def assert_consistent(cast, periods=("2026", "2027", "2026-03", "2027Q1", "2026-01")) -> None:
    """The rows the services kept are the rows a rebuild makes; every figure reads the same from them as live."""
    kept = rows()
    stats.rebuild_all()
    assert rows() == kept
    for org in (cast.city, cast.county_a, cast.county_b, cast.grassroots_a):
        for key in periods:
            assert figures(cast, org, key) == figures(cast, org, key, live=True), (org.code, key)


@pytest.fixture
def clock(monkeypatch):
    return monday_2_march_2026(monkeypatch)


def test_filing_review_and_exit_keep_the_rows(cast, clock):
    standard(cast.city, 2026, "1000.00")
    standard(cast.city, 2027, "1100.00")
    h = filed_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a, income="800")
    month = h.filed_on.year * 100 + h.filed_on.month
    assert h.category == Category.DEEP
    for unit in (cast.city, cast.county_a, cast.township_a, cast.grassroots_a):
        assert AidStat.objects.get(unit=unit.path, month=month, key="files_in:deep").n == 1
    assert not AidStat.objects.filter(unit=cast.county_b.path).exists()
    assert figures(cast, cast.city, "2026")["aid.hardship_files"][0][1] == 1
    # A year later the review finds 1500 a head (3000 for two) against 1100: 相对困难; then the household exits.
    clock.set(2027, 3, 15)
    incomes = {m.pk: ("3000" if m.relationship == "self" else "0") for m in h.members.all()}
    archive.household_annual_review(actor=actor_for(cast.grassroots_officer), household=h, incomes=incomes)
    assert AidStat.objects.get(unit=cast.city.path, month=month, key="files_in:deep").n == 0
    assert AidStat.objects.get(unit=cast.city.path, month=month, key="files_in:relative").n == 1
    assert dict(figures(cast, cast.city, "2027")["aid.hardship_files"])[str(Category.RELATIVE.label)] == 1
    assert_consistent(cast)
    archive.household_exit(actor=actor_for(cast.grassroots_officer), household=h, reason="再就业，收入稳定")
    assert AidStat.objects.get(unit=cast.county_a.path, month=202703, key="exited").n == 1
    assert AidStat.objects.get(unit=cast.county_a.path, month=202703, key="files_out:relative").n == 1
    got = figures(cast, cast.city, "2027")
    assert got["aid.hardship_exited"] == 1 and not any(n for _label, n in got["aid.hardship_files"])
    assert dict(figures(cast, cast.city, "2027-02")["aid.hardship_files"])[str(Category.RELATIVE.label)] == 1
    assert_consistent(cast)


def _paid(cast, program, people, **facts):
    staff = actor_for(cast.officer_a)
    for p in people:
        programs.grant_apply(actor=actor_for(cast.grassroots_officer), program=program, person=p,
                             org=cast.grassroots_a, facts=facts, bank_account="6222021234567890123")
    for g in program.grants.all():
        programs.grant_approve(actor=staff, grant=g)
    batch = programs.batch_create(actor=staff, program=program)
    return programs.batch_pay(actor=staff, batch=batch, bank_reference="REF-1", paid_on=datetime.date(2026, 1, 20))


def test_payments_and_visits_keep_the_rows_and_match_the_live_count(cast):
    warmth = make_program(cast, kind=ProgramKind.WARMTH)  # 500 each
    _paid(cast, warmth, [member(cast, "张三"), member(cast, "李四")])
    assert AidStat.objects.get(unit=cast.city.path, month=202601, key="grant:warmth").amount == D("1000.00")
    actor = actor_for(cast.grassroots_officer)
    day = datetime.date(2026, 1, 25)
    programs.visit_create(actor=actor, org=cast.grassroots_a, program=warmth, target=VisitTarget.HOUSEHOLD,
                          visited_on=day, place="张家", people=3, households=2, cash="600", goods_value="100")
    programs.visit_create(actor=actor, org=cast.grassroots_a, target=VisitTarget.ENTERPRISE, visited_on=day,
                          place="某厂", people=1, enterprises=1, cash="1000")
    programs.visit_create(actor=actor_for(cast.officer_b), org=cast.grassroots_b, target=VisitTarget.MODEL_WORKER,
                          visited_on=datetime.date(2026, 2, 3), place="劳模", people=2, cash="800")
    got = figures(cast, cast.city, "2026")
    assert got["aid.warmth_raised"] == D("1700.00") and got["aid.warmth_visits"] == 5
    assert got["aid.warmth_households"] == 4 and got["aid.warmth_enterprises"] == 1
    assert got["aid.model_worker_visits"] == 2 and got["aid.model_worker_amount"] == D("800.00")
    assert figures(cast, cast.county_a, "2026")["aid.model_worker_visits"] == 0
    assert figures(cast, cast.city, "2026-02")["aid.warmth_visits"] == 0
    assert_consistent(cast)


def test_refused_writes_add_nothing(cast):
    program = make_program(cast, kind=ProgramKind.WARMTH)
    programs.grant_apply(actor=actor_for(cast.grassroots_officer), program=program, person=member(cast),
                         org=cast.grassroots_a, bank_account="6222021234567890123")
    programs.grant_approve(actor=actor_for(cast.officer_a), grant=program.grants.get())
    batch = programs.batch_create(actor=actor_for(cast.officer_a), program=program)
    for user in (cast.officer_b, cast.grassroots_officer):  # another county; no aid.review
        with pytest.raises((PermissionDenied, Http404)):
            programs.batch_pay(actor=actor_for(user), batch=batch, bank_reference="REF-1")
    with pytest.raises(ValidationError, match=r"reference|参考号|流水"):
        programs.batch_pay(actor=actor_for(cast.officer_a), batch=batch, bank_reference="x")
    with pytest.raises(ValidationError):
        programs.visit_create(actor=actor_for(cast.grassroots_officer), org=cast.grassroots_a,
                              target=VisitTarget.HOUSEHOLD, visited_on=datetime.date(2026, 1, 5), place="张家")
    assert rows() == {}


def test_a_moved_subtree_keeps_aid_paths_and_rows_right(cast, clock):
    standard(cast.city, 2026, "1000.00")
    h = filed_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a, income="800")
    warmth = make_program(cast, kind=ProgramKind.WARMTH)
    _paid(cast, warmth, [member(cast, "张三")])
    programs.visit_create(actor=actor_for(cast.grassroots_officer), org=cast.grassroots_a,
                          target=VisitTarget.HOUSEHOLD, visited_on=datetime.date(2026, 1, 5), place="张家", people=1)
    before = figures(cast, cast.county_a, "2026")
    org_move(actor=actor_for(cast.city_staff), org=cast.township_a, new_parent=cast.county_b)
    for model in (cast.grassroots_a, cast.county_b):
        model.refresh_from_db()
    h.refresh_from_db()
    assert h.org_path == cast.grassroots_a.path and h.org_path.startswith(cast.county_b.path)
    assert all(g.org_path == cast.grassroots_a.path for g in Grant.objects.all())
    assert Household.objects.filter(org_path__startswith=cast.county_b.path).count() == 1
    assert figures(cast, cast.county_b, "2026") == before  # county B had nothing of its own
    assert not any(n for _label, n in figures(cast, cast.county_a, "2026")["aid.hardship_files"])
    assert_consistent(cast)
