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


@transaction.atomic
def problem_anonymise(*, actor, problem, why: str, **extra) -> bool:
    """A closed problem's cadre name goes (the problem, its measures and its figures stay)."""
    from gonghui.oversight.models import Problem

    if not problem.cadre_name:
        return False
    Problem.objects.filter(pk=problem.pk).update(cadre_name="")
    _record(actor, "privacy.anonymise", "oversight.problem", str(problem.pk), problem.org_path, why, **extra)
    problem.cadre_name = ""
    return True


@transaction.atomic
def household_anonymise(*, actor, household, why: str, **extra) -> bool:
    """An exited hardship household: names, ID number, incomes, costs, causes' notes, objections and visit notes go;
    the category, the dates and the amounts paid stay for the figures and the books."""
    from gonghui.aid.models import AnnualReview, Household, HouseholdEvent, HouseholdMember, Objection, PairVisit

    if household.name == ANON:
        return False
    if household.exited_on is None:
        raise ValueError("a household still on file is not anonymised")
    Household.objects.filter(pk=household.pk).update(
        name=ANON, name_masked=ANON, id_number="", id_number_bidx="", cause_note="", illness_cost="",
        disability_cost="", schooling_cost="", accident_loss="", compensation="", per_capita="")
    HouseholdMember.objects.filter(household=household).update(name=ANON, monthly_income="", note="")
    AnnualReview.objects.filter(household=household).update(per_capita="")
    Objection.objects.filter(household=household).update(text="", contact="")
    HouseholdEvent.objects.filter(household=household).update(note="")
    PairVisit.objects.filter(pairing__household=household).update(note="")
    _record(actor, "privacy.anonymise", "aid.household", str(household.pk), household.org_path, why, **extra)
    household.name = ANON
    return True
