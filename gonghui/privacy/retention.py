"""The retention sweep (run by ``gonghui tick``): records past the retention their fields declare are anonymised.

The periods are read from the schema (``inventory.retention_months``), so changing a field's declared retention
changes the sweep. Each run handles at most ``BATCH`` records of a kind and is safe to run again: an anonymised
record is never touched twice.
"""

import datetime

from django.db.models import Max, Q
from django.utils import timezone

from gonghui.casework.models import Case, State
from gonghui.core import audit
from gonghui.core.access import Actor
from gonghui.members.models import JoinApplication, MembershipStatus, Person

from . import anonymise, inventory
from .models import DeletionRequest, DeletionStatus

SWEEPER = Actor(user=None, grant=None, label="retention")
BATCH = 500


def _cutoff(model, now: datetime.datetime) -> datetime.datetime | None:
    months = inventory.retention_months(model)
    if months is None:
        return None
    day = inventory.months_before(timezone.localdate(now), months)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def expired_applications(now: datetime.datetime):
    cutoff = _cutoff(JoinApplication, now)
    if cutoff is None:
        return JoinApplication.objects.none()
    return (JoinApplication.objects.exclude(status="pending").exclude(name=anonymise.ANON)
            .filter(decided_at__lt=cutoff).order_by("decided_at", "pk"))


def expired_cases(now: datetime.datetime):
    cutoff = _cutoff(Case, now)
    if cutoff is None:
        return Case.objects.none()
    return (Case.objects.filter(state=State.CLOSED, closed_at__lt=cutoff).exclude(worker_name=anonymise.ANON)
            .order_by("closed_at", "pk"))


def expired_people(now: datetime.datetime):
    """People with no active membership whose last membership ended longer ago than the retention."""
    cutoff = _cutoff(Person, now)
    if cutoff is None:
        return Person.objects.none()
    return (Person.objects.exclude(name=anonymise.ANON)
            .exclude(memberships__status=MembershipStatus.ACTIVE)
            .annotate(last_left=Max("memberships__left_on"))
            .filter(Q(last_left__lt=cutoff.date()) | Q(last_left__isnull=True, created_at__lt=cutoff))
            .order_by("pk"))


def expired_requests(now: datetime.datetime):
    cutoff = _cutoff(DeletionRequest, now)
    if cutoff is None:
        return DeletionRequest.objects.none()
    return DeletionRequest.objects.exclude(status=DeletionStatus.PENDING).filter(decided_at__lt=cutoff)


def expired_problems(now: datetime.datetime):
    """Closed problems naming a cadre, closed longer ago than the cadre name's retention."""
    from gonghui.oversight.models import Problem, ProblemState

    cutoff = _cutoff(Problem, now)
    if cutoff is None:
        return Problem.objects.none()
    return (Problem.objects.filter(state=ProblemState.CLOSED, closed_at__lt=cutoff).exclude(cadre_name="")
            .order_by("closed_at", "pk"))


def expired_households(now: datetime.datetime):
    """Hardship households that exited (解困) longer ago than their retention."""
    from gonghui.aid.models import Household

    cutoff = _cutoff(Household, now)
    if cutoff is None:
        return Household.objects.none()
    return (Household.objects.filter(exited_on__lt=cutoff.date()).exclude(name=anonymise.ANON)
            .order_by("exited_on", "pk"))


def expired_grants(now: datetime.datetime):
    """Assistance grants paid longer ago than their retention that still hold facts or a bank account."""
    from gonghui.aid.models import Grant

    cutoff = _cutoff(Grant, now)
    if cutoff is None:
        return Grant.objects.none()
    return Grant.objects.filter(paid_on__lt=cutoff.date()).exclude(facts="", bank_account="")


def expired_mutual_claims(now: datetime.datetime):
    """Medical mutual aid claims paid (or refused) longer ago than their retention that still hold the illness or a
    bank account."""
    from gonghui.aid.models import MutualClaim

    cutoff = _cutoff(MutualClaim, now)
    if cutoff is None:
        return MutualClaim.objects.none()
    return (MutualClaim.objects.filter(Q(grant__paid_on__lt=cutoff.date())
                                       | Q(state="refused", decided_at__lt=cutoff))
            .exclude(illness="", special_illness="", bank_account=""))


def expired_donors(now: datetime.datetime):
    """Named donations by outsiders whose drive was longer ago than their retention and still hold the name."""
    from gonghui.aid.models import Donation

    cutoff = _cutoff(Donation, now)
    if cutoff is None:
        return Donation.objects.none()
    return Donation.objects.filter(drive__day__lt=cutoff.date()).exclude(donor_name="")


def retention_sweep(now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    counts = {"applications": 0, "cases": 0, "people": 0, "requests_deleted": 0, "problems": 0, "households": 0,
              "grants": 0, "mutual_claims": 0, "donors": 0}
    for application in expired_applications(now)[:BATCH]:
        counts["applications"] += anonymise.application_anonymise(actor=SWEEPER, application=application,
                                                                   why="retention")
    for case in expired_cases(now)[:BATCH]:
        counts["cases"] += anonymise.case_anonymise(actor=SWEEPER, case=case, why="retention")
    for person in expired_people(now)[:BATCH]:
        counts["people"] += anonymise.person_anonymise(actor=SWEEPER, person=person, why="retention")
    for problem in expired_problems(now)[:BATCH]:
        counts["problems"] += anonymise.problem_anonymise(actor=SWEEPER, problem=problem, why="retention")
    for household in expired_households(now)[:BATCH]:
        counts["households"] += anonymise.household_anonymise(actor=SWEEPER, household=household, why="retention")
    grants = list(expired_grants(now).values_list("pk", flat=True)[:BATCH * 10])
    if grants:  # the grant, its amount and its payment stay for the books; one event for the batch
        from gonghui.aid.models import Grant

        counts["grants"] = Grant.objects.filter(pk__in=grants).update(facts="", bank_account="")
        audit.record(actor=SWEEPER, action="privacy.anonymise", object_type="aid.grant", object_id="",
                     details={"why": "retention", "items": counts["grants"]})
    claims = list(expired_mutual_claims(now).values_list("pk", flat=True)[:BATCH * 10])
    if claims:  # the claim, its amounts and its grant stay for the books and the figures; the health data goes
        from gonghui.aid.models import MutualClaim

        counts["mutual_claims"] = MutualClaim.objects.filter(pk__in=claims).update(illness="", special_illness="",
                                                                                   bank_account="")
        audit.record(actor=SWEEPER, action="privacy.anonymise", object_type="aid.mutual_claim", object_id="",
                     details={"why": "retention", "items": counts["mutual_claims"]})
    donations = list(expired_donors(now).values_list("pk", flat=True)[:BATCH * 10])
    if donations:  # the donation and its amount stay in the drive's totals; the outsider's name goes
        from gonghui.aid.models import Donation

        counts["donors"] = Donation.objects.filter(pk__in=donations).update(donor_name="")
        audit.record(actor=SWEEPER, action="privacy.anonymise", object_type="aid.donation", object_id="",
                     details={"why": "retention", "items": counts["donors"]})
    old = list(expired_requests(now).values_list("pk", "code", "org_path")[:BATCH])
    for pk, code, path in old:
        DeletionRequest.objects.filter(pk=pk).delete()
        audit.record(actor=SWEEPER, action="privacy.deletion.purge", object_type="deletion_request", object_id=code,
                     scope_path=path, details={"why": "retention"})
        counts["requests_deleted"] += 1
    return counts
