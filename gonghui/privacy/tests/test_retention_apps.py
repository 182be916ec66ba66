"""The retention sweep keeps the promises the oversight and assistance apps declare: a closed problem's cadre name
three years after closing, an exited hardship household five years after its exit (解困)."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.aid import archive
from gonghui.aid.models import HouseholdMember
from gonghui.aid.testing_archive import filed_household, standard
from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.audit import verify_chain
from gonghui.core.models import AuditEvent
from gonghui.oversight.models import ProblemState
from gonghui.oversight.testing_ledger import final_problem
from gonghui.privacy import retention
from gonghui.privacy.anonymise import ANON

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cur.fetchone()[0]


def _later(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def test_a_closed_problems_cadre_name_goes_three_years_after_closing(cast):
    closed = final_problem(cast.grassroots_a, "公车私用")
    closed.cadre_name, closed.state, closed.closed_at = "王某某", ProblemState.CLOSED, timezone.now()
    closed.save()
    still_open = final_problem(cast.grassroots_a, "违规发放福利")
    still_open.cadre_name = "李某某"
    still_open.save()
    assert retention.retention_sweep(now=_later(3 * 365 - 5))["problems"] == 0
    assert retention.retention_sweep(now=_later(3 * 365 + 5))["problems"] == 1
    closed.refresh_from_db()
    assert closed.cadre_name == "" and _raw("oversight_problem", "cadre_name", closed.pk) == ""
    assert closed.title == "公车私用" and closed.state == ProblemState.CLOSED  # the problem and its figures stay
    still_open.refresh_from_db()
    assert still_open.cadre_name == "李某某"
    ev = AuditEvent.objects.get(action="privacy.anonymise", object_type="oversight.problem")
    assert ev.actor_name == "retention" and ev.object_id == str(closed.pk)
    assert retention.retention_sweep(now=_later(3 * 365 + 5))["problems"] == 0
    assert verify_chain().ok


def test_an_exited_household_is_anonymised_five_years_after_its_exit(cast, monkeypatch):
    clock = monday_2_march_2026(monkeypatch)
    standard(cast.city, 2026, "1000.00")
    gone = filed_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a, name="张小三")
    kept = filed_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a, name="赵大勇")
    clock.set(2026, 4, 10)
    gone = archive.household_exit(actor=cast.actor(cast.grassroots_officer), household=gone, reason="再就业，收入稳定")
    exited = datetime.datetime.combine(gone.exited_on, datetime.time(12), tzinfo=datetime.UTC)
    assert retention.retention_sweep(now=exited + datetime.timedelta(days=5 * 365 - 5))["households"] == 0
    assert retention.retention_sweep(now=exited + datetime.timedelta(days=5 * 365 + 5))["households"] == 1
    gone.refresh_from_db()
    assert (gone.name, gone.name_masked, gone.id_number, gone.id_number_bidx) == (ANON, ANON, "", "")
    assert gone.per_capita == "" and _raw("aid_household", "id_number", gone.pk) == ""
    assert gone.category and gone.exited_on  # the figures keep the household, without the person
    assert set(HouseholdMember.objects.filter(household=gone).values_list("monthly_income", flat=True)) == {""}
    assert all(m.name == ANON for m in HouseholdMember.objects.filter(household=gone))
    kept.refresh_from_db()
    assert kept.name == "赵大勇"  # still on file: kept
    assert AuditEvent.objects.filter(action="privacy.anonymise", object_type="aid.household",
                                     object_id=str(gone.pk)).exists()
    assert retention.retention_sweep(now=exited + datetime.timedelta(days=5 * 365 + 5))["households"] == 0


def test_paid_grants_lose_their_facts_and_bank_account_ten_years_after_payment(cast):
    from gonghui.aid import programs
    from gonghui.aid.models import Grant, GrantState, ProgramKind
    from gonghui.aid.testing_programs import make_program, member

    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    grant = programs.grant_apply(actor=cast.actor(cast.grassroots_officer), program=program, person=member(cast),
                                 org=cast.grassroots_a, facts={"relationship": "父"},
                                 bank_account="6222021234567890123")
    paid_on = timezone.localdate()
    Grant.objects.filter(pk=grant.pk).update(state=GrantState.PAID, paid_on=paid_on)  # paid through a batch
    now = datetime.datetime.combine(paid_on, datetime.time(12), tzinfo=datetime.UTC)
    assert retention.retention_sweep(now=now + datetime.timedelta(days=10 * 365 - 5))["grants"] == 0
    assert retention.retention_sweep(now=now + datetime.timedelta(days=10 * 365 + 5))["grants"] == 1
    grant.refresh_from_db()
    assert (grant.facts, grant.bank_account, grant.state) == ("", "", GrantState.PAID)
    assert grant.amount > 0  # the books keep the amount
    assert retention.retention_sweep(now=now + datetime.timedelta(days=10 * 365 + 5))["grants"] == 0


def test_an_outside_donors_name_goes_ten_years_after_the_drive(cast):
    from gonghui.aid import drives
    from gonghui.aid.models import Donation
    from gonghui.aid.testing_drives import make_drive

    drive = make_drive(cast)
    gift = drives.donation_add(actor=cast.actor(cast.grassroots_officer), drive=drive, org=cast.grassroots_a,
                               amount="200", donor_name="社会爱心人士王先生")
    now = datetime.datetime.combine(drive.day, datetime.time(12), tzinfo=datetime.UTC)
    assert retention.retention_sweep(now=now + datetime.timedelta(days=10 * 365 - 5))["donors"] == 0
    assert retention.retention_sweep(now=now + datetime.timedelta(days=10 * 365 + 5))["donors"] == 1
    gift = Donation.objects.get(pk=gift.pk)
    assert gift.donor_name == "" and gift.amount == 200
    assert retention.retention_sweep(now=now + datetime.timedelta(days=10 * 365 + 5))["donors"] == 0
