"""``gonghui tick`` anonymises records past the retention their fields declare; a second run does nothing."""

import datetime
import io

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from gonghui.casework.models import Case, CaseEvent
from gonghui.core.audit import verify_chain
from gonghui.core.models import AuditEvent
from gonghui.members.models import JoinApplication, Person
from gonghui.privacy import retention
from gonghui.privacy.anonymise import ANON
from gonghui.privacy.models import DeletionRequest


def _months_later(n: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=31 * n)


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cur.fetchone()[0]


def test_people_who_left_longer_ago_than_their_retention_are_anonymised(world):
    leaver = Person.objects.get(name="王建国")  # left in June 2019: five years are over
    counts = retention.retention_sweep()
    assert counts["people"] == 1 and counts["applications"] == 0 and counts["cases"] == 0
    leaver.refresh_from_db()
    assert leaver.name == ANON and leaver.id_number == "" and leaver.phone == "" and leaver.birth_date is None
    assert _raw("members_person", "id_number", leaver.pk) == ""
    assert _raw("members_person", "phone_bidx", leaver.pk) == ""
    assert leaver.memberships.get().status == "left"  # the figures keep the membership, without the person
    assert Person.objects.get(pk=world.member.person_id).name == "张秀英"  # active members are kept
    ev = AuditEvent.objects.get(action="privacy.anonymise", object_id=leaver.uid)
    assert ev.actor_name == "retention" and ev.details == {"why": "retention"}
    assert retention.retention_sweep() == {"applications": 0, "cases": 0, "people": 0, "requests_deleted": 0,
                                           "problems": 0, "households": 0, "grants": 0, "mutual_claims": 0, "donors": 0}


def test_decided_applications_after_a_year_and_closed_cases_after_three(world):
    retention.retention_sweep()
    assert retention.retention_sweep(now=_months_later(11))["applications"] == 0
    counts = retention.retention_sweep(now=_months_later(13))
    assert counts["applications"] == 2 and counts["cases"] == 0  # the approved and the rejected one
    rejected = JoinApplication.objects.get(pk=world.rejected.pk)
    assert rejected.name == ANON and rejected.id_number == "" and rejected.phone_last4 == ""
    assert rejected.status == "rejected" and rejected.reject_reason == "非本厂职工"  # the decision stays
    counts = retention.retention_sweep(now=_months_later(37))
    assert counts["cases"] == 1  # the closed one; the open public request is still being handled
    case = Case.objects.get(pk=world.closed_case.pk)
    assert case.worker_name == ANON and case.phone == "" and case.description == "" and case.reply == ""
    assert not CaseEvent.objects.filter(case=case).exclude(note="").exists()
    assert Case.objects.get(pk=world.public_case.pk).worker_name == "钱伟"
    assert retention.retention_sweep(now=_months_later(37)) == {"applications": 0, "cases": 0, "people": 0,
                                                                "requests_deleted": 0, "problems": 0,
                                                                "households": 0, "grants": 0, "mutual_claims": 0,
                                                                "donors": 0}
    assert verify_chain().ok


def test_decided_deletion_requests_are_purged_after_their_retention(world, client, cast):
    from gonghui.privacy import services

    from .conftest import CONSENT

    client.post("/privacy/", {"id_number": world.numbers["rejected"][0], "phone": world.numbers["rejected"][1],
                              "code": world.rejected.code, **CONSENT})
    client.post("/privacy/mine/delete/")
    services.request_decide(actor=cast.actor(cast.grassroots_officer), request=DeletionRequest.objects.get(),
                            decision="anonymise")
    assert retention.retention_sweep(now=_months_later(35))["requests_deleted"] == 0
    assert retention.retention_sweep(now=_months_later(37))["requests_deleted"] == 1
    assert not DeletionRequest.objects.exists()


def test_the_tick_command_runs_the_retention_sweep(world):
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "retention_sweep" in out.getvalue() and '"people": 1' in out.getvalue()
    assert Person.objects.filter(name=ANON).count() == 1
