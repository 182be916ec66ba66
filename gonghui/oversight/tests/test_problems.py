"""The problem list's review (查摆 → 初审 → 复审 → 定稿) with a return, its numbering, permissions and bad input."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.oversight import problems, selectors_problems
from gonghui.oversight.models import Category, Decision, ProblemReview, Source, Stage
from gonghui.oversight.testing_problems import departments, file_problem, finalize, second_reviewer, to_joint

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(cast):
    office, org_dept, _rights = departments(cast.county_a)
    return [(cast.officer_a, office), (second_reviewer(cast.county_a), org_dept)]


def test_four_stages_with_a_return_rounds_and_returns_counted(cast, group):
    p = file_problem(cast.grassroots_officer, cast.grassroots_a, concerns="cadre", cadre_name="李建国",
                     description="三楼会议室全年仅使用两次")
    assert re.fullmatch(r"WT-\d{4}-\d{6}", p.number) and p.stage == Stage.DRAFT
    p = to_joint(p, unit_user=cast.grassroots_officer, reviewers=group)
    assert (p.stage, p.rounds) == (Stage.JOINT, 1)
    # The second department's reviewer sends it back.
    problems.problem_joint_review(actor_for(group[0][0]), problem=p, decision=Decision.PASS, opinion="同意")
    with pytest.raises(ValidationError):  # not every member has passed yet
        problems.problem_finalize(actor_for(group[0][0]), problem=p, meeting_name="党组会",
                                  meeting_on=datetime.date(2026, 1, 5))
    problems.problem_joint_review(actor_for(group[1][0]), problem=p, decision=Decision.RETURN,
                                  opinion="问题描述不具体，请补充使用记录")
    p.refresh_from_db()
    assert (p.stage, p.returned, p.returns) == (Stage.DRAFT, True, 1)
    assert problems.review_state(p) == "退回修改（第1轮）"
    problems.problem_update(actor_for(cast.grassroots_officer), problem=p, title=p.title, concerns="cadre",
                            cadre_name="李建国", description="三楼会议室全年仅使用两次，登记簿附后")
    p = to_joint(p, unit_user=cast.grassroots_officer, reviewers=group)
    assert p.rounds == 2
    p = finalize(p, reviewers=group)
    assert p.stage == Stage.FINAL and p.finalized_at is not None and p.meeting_name == "2026年第3次党组会"
    reviews = ProblemReview.objects.filter(problem=p)
    assert reviews.count() == 6 and reviews.filter(decision=Decision.RETURN).count() == 1
    assert set(reviews.filter(stage=Stage.JOINT).values_list("department__name", flat=True)) == {"办公室", "组织部"}
    actions = list(AuditEvent.objects.filter(object_type="oversight.problem", object_id=str(p.pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions[0] == "oversight.problem_create" and actions[-1] == "oversight.problem_finalize"
    assert actions.count("oversight.problem_joint_review") == 4
    # The cadre's name is stored encrypted and never in the audit trail.
    with connection.cursor() as cur:
        cur.execute("SELECT cadre_name FROM oversight_problem WHERE id = %s", [p.pk])
        raw = cur.fetchone()[0]
    assert "李建国" not in raw and p.cadre_name == "李建国"
    assert not AuditEvent.objects.filter(details__icontains="李建国").exists()
    assert problems.cadre_masked(p) == "李**"


def test_numbers_are_a_federation_wide_sequence(cast):
    a = file_problem(cast.grassroots_officer, cast.grassroots_a)
    b = file_problem(cast.officer_b, cast.grassroots_b)
    c = file_problem(cast.officer_a, cast.county_a, year=2025)
    year = a.year
    assert (a.number, b.number) == (f"WT-{year}-000001", f"WT-{year}-000002")
    assert c.number == "WT-2025-000001"


def test_from_another_app_by_source_key(cast):
    p = problems.problem_create(actor_for(cast.officer_a), org=cast.grassroots_a, source_key="monitoring",
                                title="购物卡支出", link_kind="funds.alert", link_id=7, link_label="预警 7")
    assert p.source.key == "monitoring" and p.category.key == "other" and p.link_id == 7
    assert problems.problem_url(p) == f"/oversight/problems/{p.pk}/"


def test_bad_input(cast, group):
    with pytest.raises(ValidationError) as e:
        file_problem(cast.grassroots_officer, cast.grassroots_a, title="  ")
    assert "title" in e.value.error_dict
    with pytest.raises(ValidationError) as e:
        file_problem(cast.grassroots_officer, cast.grassroots_a, concerns="cadre", cadre_name="")
    assert "cadre_name" in e.value.error_dict
    with pytest.raises(ValidationError):
        file_problem(cast.grassroots_officer, cast.grassroots_a, source_key="nonesuch")
    with pytest.raises(ValidationError):
        problems.problem_create(actor_for(cast.officer_a), org=cast.county_a, source_key="self_check", title="x",
                                stage="final")
    p = file_problem(cast.grassroots_officer, cast.grassroots_a)
    with pytest.raises(ValidationError):  # a draft is not under review
        problems.problem_first_review(actor_for(cast.officer_a), problem=p, decision="pass")
    problems.problem_submit(actor_for(cast.grassroots_officer), problem=p)
    with pytest.raises(ValidationError) as e:  # a return needs an opinion
        problems.problem_first_review(actor_for(cast.officer_a), problem=p, decision="return", opinion=" ")
    assert "opinion" in e.value.error_dict
    with pytest.raises(ValidationError):
        problems.problem_first_review(actor_for(cast.officer_a), problem=p, decision="maybe")
    problems.problem_first_review(actor_for(cast.officer_a), problem=p, decision="pass")
    p.refresh_from_db()
    office = group[0][1]
    with pytest.raises(ValidationError):  # one department is not a joint group
        problems.problem_group_set(actor_for(cast.officer_a), problem=p,
                                   members=[(cast.officer_a, office), (group[1][0], office)])
    with pytest.raises(ValidationError):  # a user of another county may not sit on it
        problems.problem_group_set(actor_for(cast.officer_a), problem=p,
                                   members=[(cast.officer_a, office), (cast.officer_b, group[1][1])])
    problems.problem_group_set(actor_for(cast.officer_a), problem=p, members=group)
    with pytest.raises(ValidationError):  # not a member of the group
        problems.problem_joint_review(actor_for(cast.city_staff), problem=p, decision="pass")
    problems.problem_joint_review(actor_for(cast.officer_a), problem=p, decision="pass")
    with pytest.raises(ValidationError):  # once a round
        problems.problem_joint_review(actor_for(cast.officer_a), problem=p, decision="pass")
    with pytest.raises(ValidationError):  # editing is for drafts
        problems.problem_update(actor_for(cast.grassroots_officer), problem=p, title="改")


def test_permissions_other_county_grassroots_anonymous(cast, group):
    from gonghui.core.access import ANONYMOUS

    p = file_problem(cast.officer_a, cast.county_a)
    with pytest.raises(Http404):
        selectors_problems.problem_get(actor=actor_for(cast.officer_b), pk=p.pk)
    with pytest.raises(Http404):
        problems.problem_submit(actor_for(cast.officer_b), problem=p)
    with pytest.raises(Http404):  # the grassroots officer sees only their union's problems
        selectors_problems.problem_get(actor=actor_for(cast.grassroots_officer), pk=p.pk)
    with pytest.raises(Http404):
        file_problem(cast.grassroots_officer, cast.county_a)
    with pytest.raises(PermissionDenied):
        selectors_problems.problem_get(actor=ANONYMOUS, pk=p.pk)
    with pytest.raises(PermissionDenied):
        file_problem(cast.auditor_a, cast.county_a)  # the auditor reads, does not write
    own = file_problem(cast.grassroots_officer, cast.grassroots_a)
    own = to_joint(own, unit_user=cast.grassroots_officer, reviewers=group)
    with pytest.raises(PermissionDenied):  # a grassroots officer does not sit on a joint review
        problems.problem_joint_review(actor_for(cast.grassroots_officer), problem=own, decision="pass")
    with pytest.raises(PermissionDenied):
        problems.problem_finalize(actor_for(cast.grassroots_officer), problem=own, meeting_name="x",
                                  meeting_on=datetime.date(2026, 1, 1))


def test_lists_keyed_entries_cannot_be_deleted(cast):
    actor = actor_for(cast.city_staff)
    monitoring = Source.objects.get(key="monitoring")
    with pytest.raises(ValidationError):
        problems.entry_delete(actor, kind="sources", entry=monitoring)
    new = problems.entry_add(actor, kind="categories", name="违规兼职取酬")
    problems.entry_save(actor, kind="categories", entry=new, name="违规兼职", active=True)
    problems.entry_move(actor, kind="categories", entry=new, up=True)
    names = list(Category.objects.values_list("name", flat=True))
    assert names.index("违规兼职") == len(names) - 2
    problems.entry_delete(actor, kind="categories", entry=new)
    with pytest.raises(PermissionDenied):
        problems.entry_add(actor_for(cast.grassroots_officer), kind="sources", name="x")
    with pytest.raises(ValidationError):
        problems.entry_add(actor, kind="sources", name="自查")
