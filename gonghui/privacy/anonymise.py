"""Anonymising a record: the encrypted numbers and their indexes cleared, the name replaced, free text about the
worker emptied. What stays (dates, statuses, the union, the topic) feeds the figures and identifies nobody.

Each function is idempotent (an anonymised record is left alone) and leaves one audit event, without personal data.
Rows are written with ``update()``: the encrypted fields' ``pre_save`` would recompute the blind index.
"""

from django.db import transaction

from gonghui.casework.models import Case, CaseEvent, CoHandler, Intake, State
from gonghui.core import audit
from gonghui.members.models import ApplicationStatus, JoinApplication, Membership, Person, Transfer

ANON = "（已匿名化）"


def _record(actor, action: str, object_type: str, object_id: str, scope_path: str, why: str, **extra) -> None:
    audit.record(actor=actor, action=action, object_type=object_type, object_id=object_id, scope_path=scope_path,
                 details={"why": why, **extra})


@transaction.atomic
def person_anonymise(*, actor, person: Person, why: str, **extra) -> bool:
    if person.name == ANON:
        return False
    # The ID index must stay unique per document type: a tombstone that no number hashes to.
    Person.objects.filter(pk=person.pk).update(
        name=ANON, id_number="", id_number_bidx=f"anon-{person.uid}", phone="", phone_bidx="", birth_date=None,
        ethnicity="", education="", political_status="")
    Membership.objects.filter(person=person).update(leave_reason="", job_title="")
    Transfer.objects.filter(person=person).update(note="", refuse_reason="")
    last = person.memberships.order_by("-joined_on").values_list("org_path", flat=True).first() or ""
    _record(actor, "privacy.anonymise", "person", person.uid, last, why, **extra)
    person.name = ANON
    return True


@transaction.atomic
def application_anonymise(*, actor, application: JoinApplication, why: str, **extra) -> bool:
    if application.name == ANON:
        return False
    values = {"name": ANON, "id_number": "", "id_number_bidx": "", "phone": "", "phone_bidx": "", "phone_last4": "",
              "birth_date": None, "ethnicity": "", "education": "", "political_status": "", "job_title": ""}
    if application.status == ApplicationStatus.PENDING:
        # Withdrawn at the applicant's request: it leaves the officers' queue.
        values.update(status=ApplicationStatus.REJECTED, reject_reason="应申请人要求撤回并删除个人信息")
    JoinApplication.objects.filter(pk=application.pk).update(**values)
    _record(actor, "privacy.anonymise", "join_application", application.code, application.org_path, why, **extra)
    application.name = ANON
    return True


@transaction.atomic
def case_anonymise(*, actor, case: Case, why: str, **extra) -> bool:
    if case.worker_name == ANON:
        return False
    if case.state != State.CLOSED:
        raise ValueError("an open case is not anonymised")
    Case.objects.filter(pk=case.pk).update(
        worker_name=ANON, phone="", phone_bidx="", phone_last4="", id_number="", id_number_bidx="",
        workplace="", subject=ANON, description="",
        reply="", rating_comment="", follow_up_note="", source_note="")
    CaseEvent.objects.filter(case=case).update(note="")
    CoHandler.objects.filter(case=case).update(report="")
    Intake.objects.filter(case=case).update(note="")
    _record(actor, "privacy.anonymise", "case", case.code, case.org_path, why, **extra)
    case.worker_name = ANON
    return True
