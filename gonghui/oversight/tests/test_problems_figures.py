"""The problem figures match a hand count, by subtree and period, from the pre-aggregated rows (whole months) and
from the problems themselves (any range); a moved subtree takes its counts along."""

import pytest
from django.utils import timezone

from gonghui.core.access import actor_for
from gonghui.core.figures import Period, get
from gonghui.oversight import figures_problems, problems, stats_problems
from gonghui.oversight.models import Decision, Problem, ProblemReview, ProblemStat
from gonghui.oversight.testing_problems import departments, file_problem, second_reviewer, to_joint

pytestmark = pytest.mark.django_db


def _figures(org, key):
    return {k: get(k).compute(org, Period.parse(key)) for k in (
        "oversight.problems", "oversight.problems_by_source", "oversight.problems_by_category", "oversight.reviews",
        "oversight.returned")}


def test_figures_match_a_hand_count(cast):
    office, org_dept, _ = departments(cast.county_a)
    group = [(cast.officer_a, office), (second_reviewer(cast.county_a), org_dept)]
    # Union A: two problems; one through 初审 (pass), a joint return; county B: one problem, returned at 初审.
    a1 = file_problem(cast.grassroots_officer, cast.grassroots_a, source_key="self_check", category_key="dining")
    file_problem(cast.grassroots_officer, cast.grassroots_a, source_key="petition", category_key="dining")
    a1 = to_joint(a1, unit_user=cast.grassroots_officer, reviewers=group)
    problems.problem_joint_review(actor_for(cast.officer_a), problem=a1, decision=Decision.RETURN, opinion="补充")
    b1 = file_problem(cast.officer_b, cast.county_b, source_key="self_check", category_key="gifts")
    problems.problem_submit(actor_for(cast.officer_b), problem=b1)
    problems.problem_first_review(actor_for(cast.officer_b), problem=b1, decision=Decision.RETURN, opinion="重写")
    year = str(timezone.localdate().year)
    city = _figures(cast.city, year)
    assert city["oversight.problems"] == 3
    assert dict(city["oversight.problems_by_source"]) == {"自查": 2, "信访反映": 1}
    assert dict(city["oversight.problems_by_category"]) == {"违规吃喝": 2, "违规收送礼品礼金": 1}
    assert city["oversight.reviews"] == 3  # a1: 初审 pass + 复审 return; b1: 初审 return
    assert city["oversight.returned"] == 2
    county_a = _figures(cast.county_a, year)
    assert (county_a["oversight.problems"], county_a["oversight.reviews"], county_a["oversight.returned"]) == (2, 2, 1)
    assert _figures(cast.county_b, year)["oversight.problems"] == 1
    assert _figures(cast.city, str(int(year) - 1))["oversight.problems"] == 0
    # Any other range counts the rows themselves, and agrees.
    today = timezone.localdate()
    span = f"{today.year}-01-01~{today:%Y-%m-%d}"
    assert _figures(cast.city, span) == city
    raw = figures_problems._raw_rows(cast.city, Period.parse(span))
    assert (sum(r[2] for r in raw), sum(r[3] for r in raw), sum(r[4] for r in raw)) == (3, 3, 2)
    # The counters equal a rebuild from the problems.
    before = sorted(ProblemStat.objects.values_list("unit", "month", "source_id", "category_id", "problems",
                                                    "reviews", "returned"))
    stats_problems.rebuild({p for p in ProblemStat.objects.values_list("unit", flat=True)})
    after = sorted(ProblemStat.objects.values_list("unit", "month", "source_id", "category_id", "problems",
                                                   "reviews", "returned"))
    assert [r for r in before if any(r[4:])] == after
    assert ProblemReview.objects.count() == 3 and Problem.objects.count() == 3


def test_an_edit_moves_the_count_and_a_moved_subtree_takes_its_counts(cast):
    from gonghui.oversight.models import Category

    p = file_problem(cast.grassroots_officer, cast.grassroots_a, category_key="dining")
    problems.problem_update(actor_for(cast.grassroots_officer), problem=p, title=p.title,
                            category=Category.objects.get(key="gifts"))
    year = str(timezone.localdate().year)
    assert dict(_figures(cast.county_a, year)["oversight.problems_by_category"]) == {"违规收送礼品礼金": 1}
    from gonghui.orgs.services import org_move

    org_move(actor=actor_for(cast.city_staff), org=cast.grassroots_a, new_parent=cast.county_b)
    cast.county_a.refresh_from_db()
    cast.county_b.refresh_from_db()
    assert _figures(cast.county_a, year)["oversight.problems"] == 0
    assert _figures(cast.county_b, year)["oversight.problems"] == 1
    assert _figures(cast.city, year)["oversight.problems"] == 1
