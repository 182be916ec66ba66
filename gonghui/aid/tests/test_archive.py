"""The hardship archive's services: the category rule and its boundaries, the workflow through the notice to the
file, objections holding it, the annual review, exit and the card, 一帮一; permissions and bad input."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from gonghui.aid import archive, selectors_archive
from gonghui.aid.models import (
    CardState,
    Category,
    Household,
    HouseholdState,
    Objection,
    ObjectionState,
)
from gonghui.aid.testing_archive import (
    applied_household,
    attach_evidence,
    filed_household,
    id_number,
    new_household,
    notice_household,
    standard,
)
from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import ANONYMOUS
from gonghui.core.models import AuditEvent
from gonghui.portal.models import Publication
from gonghui.portal.publications import current_publications

D = Decimal


def _assess(incomes, *, illness="0", std="1000", accident_loss="0", compensation="0"):
    return archive.assess(incomes=[D(i) for i in incomes], illness=D(illness), disability=D(0), schooling=D(0),
                          accident_loss=D(accident_loss), compensation=D(compensation),
                          standard=D(std) if std else None, deep_ratio=D(1), relative_ratio=D(2), year=2026)


def test_category_boundaries_exactly_at_one_and_two_times():
    assert _assess(["999.99"]).category == Category.DEEP
    assert _assess(["1000.00"]).category == Category.RELATIVE  # exactly 1× is not below 1×
    assert _assess(["1999.99"]).category == Category.RELATIVE
    assert _assess(["2000.00"]).category == Category.NONE  # exactly 2× is not below 2×
    # Per capita after rigid costs: (3000 + 1000 − 1000) / 2 = 1500 → 相对困难.
    a = _assess(["3000", "1000"], illness="1000")
    assert (a.per_capita, a.category) == (D("1500.00"), Category.RELATIVE)
    assert _assess(["1000"], std=None).category == Category.NONE


def test_accident_counts_only_the_loss_not_covered():
    # 2400 a month alone is not in hardship; a 12,000 loss with 6,000 compensation leaves 500 a month → 1900 < 2000.
    assert _assess(["2400"], accident_loss="12000", compensation="6000").category == Category.ACCIDENT
    # Fully compensated: not eligible.
    assert _assess(["2400"], accident_loss="12000", compensation="12000").category == Category.NONE


@pytest.fixture
def clock(monkeypatch):
    return monday_2_march_2026(monkeypatch)


@pytest.fixture
def std(cast):
    return standard(cast.city, 2026, "1000.00")


def test_household_through_notice_to_file_review_next_year_and_exit(cast, clock, std):
    standard(cast.city, 2027, "1100.00")
    h = new_household(cast.grassroots_officer, cast.grassroots_a, name="张小三", income="800",
                      members=[("李四", "spouse", "0")])
    assert (h.state, h.category, h.name_masked) == (HouseholdState.DRAFT, Category.DEEP, "张*三")
    assert h.members.count() == 2
    with pytest.raises(ValidationError, match=r"evidence|佐证"):
        archive.household_apply(actor=cast.actor(cast.grassroots_officer), household=h)
    attach_evidence(cast.grassroots_officer, h)
    h = archive.household_apply(actor=cast.actor(cast.grassroots_officer), household=h)
    assert h.state == HouseholdState.APPLIED
    h = archive.household_review(actor=cast.actor(cast.officer_a), household=h, approve=True)
    assert h.state == HouseholdState.NOTICE
    # 5 working days from Monday 2 March 2026: Monday 9 March.
    assert h.notice_until == datetime.date(2026, 3, 9)
    pub = Publication.objects.get(pk=h.publication_id)
    assert pub.kind == "aid.notice" and pub.org_id == cast.grassroots_a.pk
    assert current_publications(cast.grassroots_a) == [pub]
    # The tick on the last notice day does nothing; the day after files it.
    assert archive.archive_tick(day=datetime.date(2026, 3, 9))["filed"] == 0
    assert archive.archive_tick(day=datetime.date(2026, 3, 10))["filed"] == 1
    h.refresh_from_db()
    assert (h.state, h.filed_on, h.review_due) == (HouseholdState.FILED, datetime.date(2026, 3, 10),
                                                   datetime.date(2027, 3, 10))
    card = archive.card_issue(actor=cast.actor(cast.grassroots_officer), household=h, number="TK-001")
    # A year later: the review records incomes again; per capita (1500 + 0)/2 = 750 < 1100 → still 深度困难.
    clock.set(2027, 3, 15)
    members = {m.pk: ("1500" if m.relationship == "self" else "0") for m in h.members.all()}
    review = archive.household_annual_review(actor=cast.actor(cast.grassroots_officer), household=h,
                                             incomes=members)
    h.refresh_from_db()
    card.refresh_from_db()
    assert (review.year, review.category_after, h.category) == (2027, Category.DEEP, Category.DEEP)
    assert h.review_due == datetime.date(2028, 3, 15) and h.standard_monthly == D("1100.00")
    assert card.valid_until == datetime.date(2028, 3, 15)
    with pytest.raises(ValidationError, match=r"already reviewed|已复核"):
        archive.household_annual_review(actor=cast.actor(cast.grassroots_officer), household=h, incomes=members)
    # Exit withdraws the card.
    h = archive.household_exit(actor=cast.actor(cast.grassroots_officer), household=h, reason="再就业，收入稳定")
    card.refresh_from_db()
    assert h.state == HouseholdState.EXITED and h.exited_on == datetime.date(2027, 3, 15)
    assert card.state == CardState.WITHDRAWN and card.withdrawn_on == h.exited_on
    actions = set(AuditEvent.objects.filter(object_type="aid.household", object_id=str(h.pk))
                  .values_list("action", flat=True))
    assert {"aid.household_create", "aid.household_apply", "aid.household_approve", "aid.household_file",
            "aid.card_issue", "aid.household_review_year", "aid.household_exit"} <= actions


def test_an_objection_holds_the_file_until_resolved(cast, clock, std):
    h = notice_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a)
    obj = archive.objection_from_board(h.publication, text="他家有两套房，收入不实", contact="13812345678")
    h.refresh_from_db()
    assert h.open_objections == 1 and obj.public
    assert archive.archive_tick(day=h.notice_until + datetime.timedelta(days=3))["filed"] == 0
    h.refresh_from_db()
    assert h.state == HouseholdState.NOTICE
    clock.set(2026, 3, 12)
    archive.objection_resolve(actor=cast.actor(cast.officer_a), objection=obj, upheld=False,
                              resolution="核实：房产为父母所有，不影响认定")
    h.refresh_from_db()
    # The notice had ended: dismissing the last objection files it at once.
    assert h.state == HouseholdState.FILED and h.open_objections == 0


def test_an_upheld_objection_returns_the_file_and_withdraws_the_notice(cast, clock, std):
    h = notice_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a)
    obj = archive.objection_lodge(actor=cast.actor(cast.grassroots_officer), household=h, text="收入申报不实")
    archive.objection_resolve(actor=cast.actor(cast.officer_a), objection=obj, upheld=True, resolution="查实隐瞒收入")
    h.refresh_from_db()
    obj.refresh_from_db()
    assert h.state == HouseholdState.RETURNED and obj.state == ObjectionState.UPHELD
    assert Publication.objects.get(pk=h.publication_id).withdrawn_at is not None
    assert current_publications(cast.grassroots_a) == []


def test_one_open_file_per_person_is_a_database_constraint(cast, clock, std):
    number = id_number(7)
    new_household(cast.grassroots_officer, cast.grassroots_a, number=number)
    with pytest.raises(ValidationError) as exc:
        new_household(cast.grassroots_officer, cast.grassroots_a, number=number)
    assert "id_number" in exc.value.message_dict
    h = Household.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.create(org=h.org, org_path=h.org_path, name="x", name_masked="x", id_number=number)


def test_return_and_reject_need_a_reason_and_the_unit_cannot_review_itself(cast, clock, std):
    h = applied_household(cast.grassroots_officer, cast.grassroots_a)
    with pytest.raises(ValidationError) as exc:
        archive.household_review(actor=cast.actor(cast.officer_a), household=h, approve=False)
    assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        archive.household_review(actor=cast.actor(cast.grassroots_officer), household=h, approve=True)
    h = archive.household_review(actor=cast.actor(cast.officer_a), household=h, approve=False, reason="缺少诊断证明")
    assert h.state == HouseholdState.RETURNED and h.return_reason == "缺少诊断证明"


def test_not_in_hardship_cannot_apply_and_no_standard_cannot_apply(cast, clock):
    h = new_household(cast.grassroots_officer, cast.grassroots_a, income="5000")
    attach_evidence(cast.grassroots_officer, h)
    with pytest.raises(ValidationError, match="低保"):
        archive.household_apply(actor=cast.actor(cast.grassroots_officer), household=h)
    standard(cast.city, 2026, "1000")
    with pytest.raises(ValidationError, match=r"not in hardship|不属于困难"):
        archive.household_apply(actor=cast.actor(cast.grassroots_officer), household=h)


def test_bad_input_names_the_field(cast, clock, std):
    actor = cast.actor(cast.grassroots_officer)
    cases = [
        ({"id_number": "330102198001010011"}, "id_number"),
        ({"name": ""}, "name"),
        ({"worker_income": "-5"}, "worker_income"),
        ({"worker_income": "12.345"}, "worker_income"),
        ({"causes": []}, "causes"),
        ({"illness_cost": "abc"}, "illness_cost"),
    ]
    for change, field in cases:
        kw = {"actor": actor, "org": cast.grassroots_a, "name": "王五", "id_number": id_number(),
              "worker_income": "800", "causes": ["illness"], **change}
        with pytest.raises(ValidationError) as exc:
            archive.household_create(**kw)
        assert field in exc.value.message_dict, change
    with pytest.raises(ValidationError) as exc:
        archive.household_create(actor=actor, org=cast.grassroots_a, name="王五", id_number=id_number(),
                                 worker_income="800", causes=["illness"],
                                 members=[archive.MemberInput(name="", relationship="child", monthly_income="1")])
    assert "members" in exc.value.message_dict
    assert Household.objects.count() == 0


def test_scope_someone_elses_household_is_404(cast, clock, std):
    h = new_household(cast.grassroots_officer, cast.grassroots_a)
    for user in (cast.officer_b,):
        with pytest.raises(Http404):
            selectors_archive.household_get(actor=cast.actor(user), pk=h.pk)
        with pytest.raises(Http404):
            archive.household_apply(actor=cast.actor(user), household=h)
    with pytest.raises(PermissionDenied):
        selectors_archive.household_get(actor=ANONYMOUS, pk=h.pk)
    with pytest.raises(Http404):
        archive.household_create(actor=cast.actor(cast.officer_b), org=cast.grassroots_a, name="王五",
                                 id_number=id_number(), worker_income="800", causes=["illness"])
    with pytest.raises(PermissionDenied):  # auditors only read
        archive.household_exit(actor=cast.actor(cast.auditor_a), household=h, reason="x")


def test_exit_card_pairing_and_visits(cast, clock, std):
    h = filed_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a)
    clock.set(2026, 3, 16)
    actor = cast.actor(cast.grassroots_officer)
    pairing = archive.pairing_create(actor=actor, household=h, cadre=cast.grassroots_officer)
    visit = archive.pair_visit_add(actor=actor, pairing=pairing, visited_on=clock.today, cash="500", goods="米、油")
    assert visit.cash == D("500.00")
    with pytest.raises(ValidationError) as exc:
        archive.pair_visit_add(actor=actor, pairing=pairing, visited_on=clock.today)
    assert "goods" in exc.value.message_dict
    with pytest.raises(ValidationError):  # a cadre of another county
        archive.pairing_create(actor=actor, household=h, cadre=cast.officer_b)
    card = archive.card_issue(actor=actor, household=h, number="TK-9")
    with pytest.raises(ValidationError):
        archive.card_issue(actor=actor, household=h, number="TK-10")
    with pytest.raises(ValidationError) as exc:
        archive.household_exit(actor=actor, household=h, reason="")
    assert "reason" in exc.value.message_dict
    archive.household_exit(actor=actor, household=h, reason="子女毕业就业")
    card.refresh_from_db()
    pairing.refresh_from_db()
    assert card.state == CardState.WITHDRAWN and pairing.ended_on == clock.today


def test_a_review_that_leaves_deep_hardship_withdraws_the_card(cast, clock, std):
    h = filed_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a)
    actor = cast.actor(cast.grassroots_officer)
    card = archive.card_issue(actor=actor, household=h, number="TK-2")
    clock.set(2027, 3, 20)
    standard(cast.city, 2027, "1000")
    incomes = {m.pk: "1500" for m in h.members.all()}  # 1500 per head: 相对困难
    archive.household_annual_review(actor=actor, household=h, incomes=incomes)
    card.refresh_from_db()
    h.refresh_from_db()
    assert h.category == Category.RELATIVE and card.state == CardState.WITHDRAWN


def test_overdue_reviews_rise_to_the_parent_and_are_listed(cast, clock, std):
    from gonghui.core.supervision.models import SupervisionItem

    h = filed_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a)
    day = h.review_due + datetime.timedelta(days=1)
    assert archive.archive_tick(day=day)["escalated"] == 1
    item = SupervisionItem.objects.get(kind="aid.review", object_id=h.pk)
    assert item.told_org_id == cast.township_a.pk
    assert archive.archive_tick(day=day)["escalated"] == 0  # once per due date
    overdue = selectors_archive.household_list(actor=cast.actor(cast.officer_a), filters={"overdue": True},
                                               today=day)
    assert list(overdue) == [h]
    assert list(selectors_archive.household_list(actor=cast.actor(cast.officer_a), filters={"overdue": True},
                                                 today=h.review_due)) == []


def test_the_notice_never_shows_income_or_illness(cast, clock, std):
    h = notice_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a, name="欧阳小明",
                         income="876.54", causes=("illness",), cause_note="尿毒症透析")
    pub = Publication.objects.get(pk=h.publication_id)
    text = f"{pub.title} {pub.summary} {pub.body} {pub.rows}"
    assert "欧**明" in text and "欧阳小明" not in text
    assert "876" not in text and "透析" not in text and "疾病" not in text and "illness" not in text


def test_standards_and_settings_need_the_settings_permission_and_check_input(cast, clock):
    with pytest.raises(PermissionDenied):
        archive.standard_set(actor=cast.actor(cast.grassroots_officer), year=2026, monthly="900",
                             org=cast.grassroots_a)
    actor = cast.actor(cast.officer_a)
    with pytest.raises(ValidationError) as exc:
        archive.standard_set(actor=actor, year=2026, monthly="0", org=cast.county_a)
    assert "monthly" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        archive.standard_set(actor=actor, year=2026, monthly="900", region_code="33")
    assert "region_code" in exc.value.message_dict
    archive.standard_set(actor=actor, year=2026, monthly="900", region_code="330100")
    archive.standard_set(actor=actor, year=2026, monthly="950", org=cast.county_a)
    assert archive.standard_for(cast.grassroots_a, 2026).monthly == D("950.00")
    with pytest.raises(ValidationError) as exc:
        archive.settings_update(actor=actor, deep_ratio="2", relative_ratio="1.5", notice_days=5)
    assert "relative_ratio" in exc.value.message_dict
    archive.settings_update(actor=actor, deep_ratio="1", relative_ratio="1.5", notice_days=7)
    assert archive.settings_for(cast.grassroots_a).notice_days == 7
    assert archive.settings_for(cast.grassroots_b).notice_days == 5


def test_objection_from_the_board_is_refused_after_the_notice(cast, clock, std):
    h = filed_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a)
    with pytest.raises(ValidationError):
        archive.objection_from_board(h.publication, text="迟到的异议内容")
    assert not Objection.objects.exists()
