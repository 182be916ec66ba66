"""Problem services: a problem is drafted (查摆), submitted to the unit's own review (初审), reviewed by a joint group
from several departments (复审) and finalised with the meeting that approved it (定稿); any reviewer may return it
for rework with an opinion. Rounds and returns are counted. Only a final problem enters the ledger.

Every write is one transaction with one audit event and the problem's figures kept in step (``stats_problems``).
Another app files a problem with ``problem_create(actor, org=..., source_key="monitoring", ...)``.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.access import PERMISSIONS
from gonghui.core.models import Grant

from . import stats_problems
from .lists import lists_seed_defaults
from .models import (
    Category,
    ConcernKind,
    Decision,
    Department,
    Problem,
    ProblemCounter,
    ProblemReview,
    ProblemReviewer,
    Source,
    Stage,
)

EDITABLE_STAGES = (Stage.DRAFT,)
CREATE_STAGES = (Stage.DRAFT, Stage.FIRST)
MIN_GROUP_DEPARTMENTS = 2


def problem_url(problem: Problem) -> str:
    return reverse("oversight:problem_detail", args=[problem.pk])


def _user(actor):
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


def _who(actor) -> str:
    user = _user(actor)
    if user is None:
        return actor.label or ""
    return getattr(user, "display_name", "") or user.get_username()


def next_number(year: int) -> str:
    """The next number of the federation-wide sequence of ``year``: one atomic upsert, safe when two writers
    number at the same time (the row lock of the conflicting insert serialises them)."""
    table = connection.ops.quote_name(ProblemCounter._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608 (the table name is the model's)
                    f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last", [year])
        last = cur.fetchone()[0]
    return f"WT-{year}-{last:06d}"


def _text(value, field: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    return value


def _entry(model, key, obj, field: str):
    if obj is not None:
        if not isinstance(obj, model) or not obj.active:
            raise ValidationError({field: _("Choose an entry of the list in use.")})
        return obj
    if key:
        found = model.objects.filter(key=key).first()
        if found is None and lists_seed_defaults():
            found = model.objects.filter(key=key).first()
        if found is None:
            raise ValidationError({field: _("No list entry has the key %(key)s.") % {"key": key}})
        return found
    return None


def _concerns(actor, *, org, concerns: str, cadre_name: str, concerns_org) -> tuple[str, str, object]:
    if concerns not in ConcernKind.values:
        raise ValidationError({"concerns": _("Say whom the problem concerns: the unit, the leadership or a named "
                                             "cadre.")})
    cadre_name = (cadre_name or "").strip()
    if concerns == ConcernKind.CADRE:
        cadre_name = _text(cadre_name, "cadre_name", _("Name the cadre the problem concerns."), 40)
    else:
        cadre_name = ""
    if concerns_org is not None:
        actor.require_covers(concerns_org.path)
        if concerns_org.pk == org.pk:
            concerns_org = None
    return concerns, cadre_name, concerns_org


def _audit_problem(actor, action: str, problem: Problem, **details) -> None:
    audit.record(actor=actor, action=action, object_type="oversight.problem", object_id=problem.pk,
                 scope_path=problem.org_path, details={"number": problem.number, **details})


def _locked(problem: Problem) -> Problem:
    return Problem.objects.select_for_update().get(pk=problem.pk)


def _stage_error(problem: Problem):
    return ValidationError(_("Problem %(number)s is at %(stage)s: that action is not open to it.") % {
        "number": problem.number, "stage": problem.get_stage_display()})


@transaction.atomic
def problem_create(actor, *, org, source_key=None, source=None, category_key=None, category=None, title,
                   description="", concerns="unit", link_kind="", link_id=None, link_label="", stage="draft",
                   cadre_name="", concerns_org=None, year=None) -> Problem:
    """A new problem of the unit ``org`` (a draft, or submitted at once with ``stage="first"``)."""
    actor.require("oversight.write")
    actor.require_covers(org.path)
    source = _entry(Source, source_key, source, "source")
    if source is None:
        raise ValidationError({"source": _("Choose where the problem came from.")})
    category = _entry(Category, category_key, category, "category") or Category.objects.filter(key="other").first()
    if category is None:
        raise ValidationError({"category": _("Choose the kind of problem.")})
    if stage not in CREATE_STAGES:
        raise ValidationError({"stage": _("A new problem starts as a draft or submitted for the first review.")})
    title = _text(title, "title", _("Describe the problem in a line."), 200)
    description = (description or "").strip()
    if len(description) > 5000:
        raise ValidationError({"description": _("At most %(n)s characters.") % {"n": 5000}})
    concerns, cadre_name, concerns_org = _concerns(actor, org=org, concerns=concerns, cadre_name=cadre_name,
                                                   concerns_org=concerns_org)
    now = timezone.now()
    year = int(year or timezone.localdate(now).year)
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("The year %(y)s is out of range.") % {"y": year}})
    problem = Problem(org=org, org_path=org.path, number=next_number(year), year=year, source=source,
                      category=category, title=title, description=description, concerns=concerns,
                      cadre_name=cadre_name, concerns_org=concerns_org, link_kind=(link_kind or "")[:30],
                      link_id=link_id, link_label=(link_label or "")[:200], created_by=_user(actor), created_at=now,
                      stage=stage, rounds=1 if stage == Stage.FIRST else 0)
    problem.full_clean(exclude=["created_by"])
    problem.save(force_insert=True)
    stats_problems.apply(None, stats_problems.contribution(problem))
    _audit_problem(actor, "oversight.problem_create", problem, source=source.name, category=category.name, stage=stage,
            link=f"{link_kind}:{link_id}" if link_kind else "")
    return problem


@transaction.atomic
def problem_update(actor, *, problem: Problem, source=None, category=None, title, description="",
                   concerns="unit", cadre_name="", concerns_org=None) -> Problem:
    """Edit a problem while it is a draft (new or returned for rework)."""
    actor.require("oversight.write")
    actor.require_covers(problem.org_path)
    problem = _locked(problem)
    if problem.stage not in EDITABLE_STAGES:
        raise _stage_error(problem)
    before = stats_problems.contribution(problem)
    source = _entry(Source, None, source, "source") or problem.source
    category = _entry(Category, None, category, "category") or problem.category
    title = _text(title, "title", _("Describe the problem in a line."), 200)
    description = (description or "").strip()
    if len(description) > 5000:
        raise ValidationError({"description": _("At most %(n)s characters.") % {"n": 5000}})
    concerns, cadre_name, concerns_org = _concerns(actor, org=problem.org, concerns=concerns, cadre_name=cadre_name,
                                                   concerns_org=concerns_org)
    problem.source, problem.category, problem.title, problem.description = source, category, title, description
    problem.concerns, problem.cadre_name, problem.concerns_org = concerns, cadre_name, concerns_org
    problem.full_clean(exclude=["created_by"], validate_unique=False)
    problem.save(update_fields=["source", "category", "title", "description", "concerns", "cadre_name",
                                "concerns_org", "updated_at"])
    stats_problems.apply(before, stats_problems.contribution(problem))
    _audit_problem(actor, "oversight.problem_update", problem, source=source.name, category=category.name)
    return problem


@transaction.atomic
def problem_submit(actor, *, problem: Problem) -> Problem:
    """查摆 → 初审: the unit submits its draft (again, after a return: a new round)."""
    actor.require("oversight.write")
    actor.require_covers(problem.org_path)
    problem = _locked(problem)
    if problem.stage != Stage.DRAFT:
        raise _stage_error(problem)
    problem.stage, problem.rounds, problem.returned = Stage.FIRST, problem.rounds + 1, False
    problem.save(update_fields=["stage", "rounds", "returned", "updated_at"])
    _audit_problem(actor, "oversight.problem_submit", problem, round=problem.rounds)
    return problem


def _decision(decision: str, opinion: str) -> tuple[str, str]:
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose pass or return for rework.")})
    opinion = (opinion or "").strip()
    if decision == Decision.RETURN and not opinion:
        raise ValidationError({"opinion": _("Say what must be reworked.")})
    if len(opinion) > 2000:
        raise ValidationError({"opinion": _("At most %(n)s characters.") % {"n": 2000}})
    return decision, opinion


def _review(actor, problem: Problem, *, stage: str, decision: str, opinion: str, department=None) -> ProblemReview:
    before = stats_problems.contribution(problem)
    review = ProblemReview.objects.create(problem=problem, stage=stage, reviewer=_user(actor),
                                          reviewer_label=_who(actor)[:150], department=department,
                                          decision=decision, opinion=opinion, round=problem.rounds)
    if decision == Decision.RETURN:
        problem.stage, problem.returned, problem.returns = Stage.DRAFT, True, problem.returns + 1
        problem.save(update_fields=["stage", "returned", "returns", "updated_at"])
    stats_problems.apply(before, stats_problems.contribution(problem))
    return review


@transaction.atomic
def problem_first_review(actor, *, problem: Problem, decision: str, opinion: str = "") -> Problem:
    """初审, the unit's own review: pass → 复审, or back to the unit for rework with the opinion."""
    if not actor.can("oversight.review"):
        actor.require("oversight.write")
    actor.require_covers(problem.org_path)
    decision, opinion = _decision(decision, opinion)
    problem = _locked(problem)
    if problem.stage != Stage.FIRST:
        raise _stage_error(problem)
    _review(actor, problem, stage=Stage.FIRST, decision=decision, opinion=opinion)
    if decision == Decision.PASS:
        problem.stage = Stage.JOINT
        problem.save(update_fields=["stage", "updated_at"])
    _audit_problem(actor, "oversight.problem_first_review", problem, decision=decision, opinion=opinion[:200],
            round=problem.rounds)
    return problem


def reviewer_candidates(problem: Problem):
    """Users who may sit on the problem's joint group: holding a reviewing role in the unit or a federation above."""
    from django.contrib.auth import get_user_model

    roles = [role for role, perms in PERMISSIONS.items() if "oversight.review" in perms]
    paths = [problem.org_path[:i] for i in range(1, len(problem.org_path) + 1)]
    grants = Grant.objects.filter(role__in=roles, org__path__in=paths, user__is_active=True)
    return get_user_model().objects.filter(pk__in=grants.values("user_id")).order_by("pk")


def department_candidates(problem: Problem):
    """Departments of the unit or of a federation above it."""
    paths = [problem.org_path[:i] for i in range(1, len(problem.org_path) + 1)]
    return Department.objects.filter(org_path__in=paths, active=True).select_related("org")


@transaction.atomic
def problem_group_set(actor, *, problem: Problem, members: list[tuple]) -> Problem:
    """Name the joint review group (复审小组): reviewers from at least two departments."""
    actor.require("oversight.review")
    actor.require_covers(problem.org_path)
    problem = _locked(problem)
    if problem.stage != Stage.JOINT:
        raise _stage_error(problem)
    members = [(u, d) for u, d in members if u is not None and d is not None]
    users = {u.pk for u, _d in members}
    if len(users) != len(members):
        raise ValidationError({"members": _("A reviewer sits on the group once.")})
    if len({d.pk for _u, d in members}) < MIN_GROUP_DEPARTMENTS:
        raise ValidationError({"members": _("The joint review group draws on at least %(n)s departments.") % {
            "n": MIN_GROUP_DEPARTMENTS}})
    allowed_users = set(reviewer_candidates(problem).filter(pk__in=users).values_list("pk", flat=True))
    allowed_deps = set(department_candidates(problem).values_list("pk", flat=True))
    for user, dep in members:
        if user.pk not in allowed_users:
            raise ValidationError({"members": _("%(user)s may not review problems of this unit.") % {
                "user": getattr(user, "display_name", "") or user.get_username()}})
        if dep.pk not in allowed_deps or not actor.covers(dep.org_path):
            raise ValidationError({"members": _("%(dep)s is not a department of this unit or above it.") % {
                "dep": dep.name}})
    ProblemReviewer.objects.filter(problem=problem).delete()
    ProblemReviewer.objects.bulk_create([ProblemReviewer(problem=problem, user=u, department=d) for u, d in members])
    _audit_problem(actor, "oversight.problem_group", problem, reviewers=len(members),
            departments=sorted({d.name for _u, d in members}))
    return problem


def joint_state(problem: Problem) -> dict:
    """The joint group of the current round: members, who has passed, and whether all have (ready for 定稿)."""
    members = list(problem.reviewers.select_related("user", "department"))
    passed = set(ProblemReview.objects.filter(problem=problem, stage=Stage.JOINT, round=problem.rounds,
                                              decision=Decision.PASS).values_list("reviewer_id", flat=True))
    return {"members": members, "passed": passed, "done": sum(1 for m in members if m.user_id in passed),
            "ready": bool(members) and all(m.user_id in passed for m in members)}


@transaction.atomic
def problem_joint_review(actor, *, problem: Problem, decision: str, opinion: str = "") -> Problem:
    """A member of the joint group gives their opinion: pass, or return for rework (the problem goes back)."""
    actor.require("oversight.review")
    actor.require_covers(problem.org_path)
    decision, opinion = _decision(decision, opinion)
    problem = _locked(problem)
    if problem.stage != Stage.JOINT:
        raise _stage_error(problem)
    user = _user(actor)
    seat = problem.reviewers.filter(user=user).select_related("department").first() if user else None
    if seat is None:
        raise ValidationError(_("Only a member of the joint review group gives a joint review opinion."))
    if ProblemReview.objects.filter(problem=problem, stage=Stage.JOINT, round=problem.rounds, reviewer=user).exists():
        raise ValidationError(_("You have already given your opinion in this round."))
    _review(actor, problem, stage=Stage.JOINT, decision=decision, opinion=opinion, department=seat.department)
    _audit_problem(actor, "oversight.problem_joint_review", problem, decision=decision, opinion=opinion[:200],
            department=seat.department.name, round=problem.rounds)
    return problem


@transaction.atomic
def problem_finalize(actor, *, problem: Problem, meeting_name: str, meeting_on: datetime.date) -> Problem:
    """定稿: every member of the joint group passed it; the meeting that approved it is recorded. It enters the
    ledger."""
    actor.require("oversight.review")
    actor.require_covers(problem.org_path)
    meeting_name = _text(meeting_name, "meeting_name", _("Name the meeting that approved the final list."), 100)
    if not isinstance(meeting_on, datetime.date):
        raise ValidationError({"meeting_on": _("Give the date of the meeting.")})
    if meeting_on > timezone.localdate():
        raise ValidationError({"meeting_on": _("The meeting date %(d)s is in the future.") % {"d": meeting_on}})
    problem = _locked(problem)
    if problem.stage != Stage.JOINT:
        raise _stage_error(problem)
    if not joint_state(problem)["ready"]:
        raise ValidationError(_("Every member of the joint review group must pass the problem first."))
    problem.stage, problem.meeting_name, problem.meeting_on = Stage.FINAL, meeting_name, meeting_on
    problem.finalized_at = timezone.now()
    problem.save(update_fields=["stage", "meeting_name", "meeting_on", "finalized_at", "updated_at"])
    _audit_problem(actor, "oversight.problem_finalize", problem, meeting=meeting_name, on=meeting_on.isoformat())
    return problem


def review_state(problem: Problem) -> str:
    """The review state a list shows: the stage, and for a draft whether it came back for rework."""
    if problem.stage == Stage.DRAFT and problem.returned:
        return _("Returned for rework (round %(n)s)") % {"n": problem.rounds}
    if problem.stage == Stage.DRAFT:
        return str(Stage.DRAFT.label)
    if problem.stage == Stage.FINAL:
        return str(Stage.FINAL.label)
    return _("%(stage)s, round %(n)s") % {"stage": problem.get_stage_display(), "n": problem.rounds}


def unknown_seat_message(user: str, department) -> str:
    return _("No reviewer %(user)s with department %(dep)s in your scope.") % {"user": user, "dep": department}


def cadre_masked(problem: Problem) -> str:
    name = problem.cadre_name
    return (name[0] + "*" * max(len(name) - 1, 1)) if name else ""


# --- the lists administrators edit (sources, categories) and the departments of a unit -------------------------

LIST_MODELS = {"sources": Source, "categories": Category}


@transaction.atomic
def entry_add(actor, *, kind: str, name: str):
    actor.require("oversight.settings")
    model = LIST_MODELS[kind]
    name = _text(name, "name", _("Give the entry a name."), 40)
    if model.objects.filter(name=name).exists():
        raise ValidationError({"name": _("%(name)s is already on the list.") % {"name": name}})
    last = model.objects.order_by("-order").values_list("order", flat=True).first() or 0
    entry = model.objects.create(name=name, order=last + 10)
    audit.record(actor=actor, action="oversight.list_add", object_type=f"oversight.{kind}", object_id=entry.pk,
                 details={"name": name})
    return entry


@transaction.atomic
def entry_save(actor, *, kind: str, entry, name: str, active: bool):
    """Rename an entry, or take it out of use (problems filed under it keep it)."""
    actor.require("oversight.settings")
    model = LIST_MODELS[kind]
    entry = model.objects.select_for_update().get(pk=entry.pk)
    name = _text(name, "name", _("Give the entry a name."), 40)
    if model.objects.filter(name=name).exclude(pk=entry.pk).exists():
        raise ValidationError({"name": _("%(name)s is already on the list.") % {"name": name}})
    old = entry.name
    entry.name, entry.active = name, bool(active)
    entry.save(update_fields=["name", "active"])
    audit.record(actor=actor, action="oversight.list_save", object_type=f"oversight.{kind}", object_id=entry.pk,
                 details={"name": name, "old": old, "active": entry.active})
    return entry


@transaction.atomic
def entry_move(actor, *, kind: str, entry, up: bool):
    """Swap the entry with the one before (or after) it."""
    actor.require("oversight.settings")
    model = LIST_MODELS[kind]
    entries = list(model.objects.select_for_update().order_by("order", "pk"))
    i = next(i for i, e in enumerate(entries) if e.pk == entry.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(entries):
        entries[i], entries[j] = entries[j], entries[i]
        for n, e in enumerate(entries, start=1):
            if e.order != n * 10:
                e.order = n * 10
                e.save(update_fields=["order"])
    audit.record(actor=actor, action="oversight.list_move", object_type=f"oversight.{kind}", object_id=entry.pk,
                 details={"name": entry.name, "up": up})


@transaction.atomic
def entry_delete(actor, *, kind: str, entry) -> None:
    """Delete an entry no problem uses; a keyed entry (other apps file under it) is only taken out of use."""
    actor.require("oversight.settings")
    if entry.key:
        raise ValidationError(_("%(name)s is used by other parts of the platform: take it out of use instead.") % {
            "name": entry.name})
    field = "source" if kind == "sources" else "category"
    if Problem.objects.filter(**{field: entry}).exists():
        raise ValidationError(_("%(name)s is used by problems: take it out of use instead.") % {"name": entry.name})
    name, pk = entry.name, entry.pk
    entry.delete()
    audit.record(actor=actor, action="oversight.list_delete", object_type=f"oversight.{kind}", object_id=pk,
                 details={"name": name})


@transaction.atomic
def department_add(actor, *, org, name: str) -> Department:
    actor.require("oversight.write")
    actor.require_covers(org.path)
    name = _text(name, "name", _("Give the department a name."), 40)
    if Department.objects.filter(org=org, name=name).exists():
        raise ValidationError({"name": _("%(org)s already has a department %(name)s.") % {"org": org.name,
                                                                                        "name": name}})
    last = Department.objects.filter(org=org).order_by("-order").values_list("order", flat=True).first() or 0
    dep = Department.objects.create(org=org, org_path=org.path, name=name, order=last + 10)
    audit.record(actor=actor, action="oversight.department_add", object_type="oversight.department",
                 object_id=dep.pk, scope_path=org.path, details={"name": name})
    return dep


@transaction.atomic
def department_save(actor, *, department: Department, name: str, active: bool) -> Department:
    actor.require("oversight.write")
    actor.require_covers(department.org_path)
    department = Department.objects.select_for_update().get(pk=department.pk)
    name = _text(name, "name", _("Give the department a name."), 40)
    if Department.objects.filter(org_id=department.org_id, name=name).exclude(pk=department.pk).exists():
        raise ValidationError({"name": _("%(org)s already has a department %(name)s.") % {
            "org": department.org.name, "name": name}})
    old = department.name
    department.name, department.active = name, bool(active)
    department.save(update_fields=["name", "active"])
    audit.record(actor=actor, action="oversight.department_save", object_type="oversight.department",
                 object_id=department.pk, scope_path=department.org_path,
                 details={"name": name, "old": old, "active": department.active})
    return department
