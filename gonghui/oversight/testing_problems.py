"""Building problems in tests and the demo: a joint review group of two departments and a problem played through
its four stages."""

import datetime

from django.contrib.auth import get_user_model

from gonghui.core.access import actor_for
from gonghui.core.models import Grant, Role

from . import problems
from .models import Decision, Department


def departments(org, names=("办公室", "组织部", "权益保障部")) -> list[Department]:
    out = []
    for i, name in enumerate(names, start=1):
        dep, _ = Department.objects.get_or_create(org=org, name=name, defaults={"org_path": org.path, "order": i * 10})
        out.append(dep)
    return out


def second_reviewer(org, username="reviewer_b2", name="组织部干部"):
    """Another federation staff member of ``org`` (a joint group needs reviewers from two departments)."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = get_user_model().objects.create_user(username=username, password="Gh-test-pass-2026",  # noqa: S106
                                                    display_name=name)
        Grant.objects.create(user=user, role=Role.FEDERATION_STAFF, org=org)
    return user


def file_problem(user, org, *, title="会议室长期空置浪费", source_key="self_check", category_key="formalism", **kw):
    return problems.problem_create(actor_for(user), org=org, source_key=source_key, category_key=category_key,
                                   title=title, **kw)


def to_joint(problem, *, unit_user, reviewers):
    """Submit and pass the first review, then name the group: ``reviewers`` = [(user, department), ...]."""
    problems.problem_submit(actor_for(unit_user), problem=problem)
    problems.problem_first_review(actor_for(unit_user), problem=problem, decision=Decision.PASS, opinion="同意")
    problems.problem_group_set(actor_for(reviewers[0][0]), problem=problem, members=reviewers)
    problem.refresh_from_db()
    return problem


def finalize(problem, *, reviewers, on=datetime.date(2026, 3, 20), meeting="2026年第3次党组会"):
    for user, _dep in reviewers:
        problems.problem_joint_review(actor_for(user), problem=problem, decision=Decision.PASS, opinion="同意")
    problems.problem_finalize(actor_for(reviewers[0][0]), problem=problem, meeting_name=meeting, meeting_on=on)
    problem.refresh_from_db()
    return problem
