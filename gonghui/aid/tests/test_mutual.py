"""Medical mutual aid services: the subsidy by the plan's rules, the annual cap hit, special illnesses, enrolment
once per plan, maker-checker review into a grant paid by a batch, refusals, scope."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from gonghui.aid import mutual, programs
from gonghui.aid.models import ClaimState, GrantState, MutualClaim, MutualEnrolment, PlanState
from gonghui.aid.testing_mutual import enrolled, file_claim, make_plan
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent


def test_a_claim_hits_the_annual_cap_and_the_next_one_is_refused(cast):
    plan = make_plan(cast)  # deductible 1000, ratio 0.5, cap 5000
    e = enrolled(cast, plan)
    first = file_claim(cast.grassroots_officer, e, self_paid="9000")
    assert first.subsidy == Decimal("4000.00") and not first.capped and first.state == ClaimState.APPLIED
    second = file_claim(cast.grassroots_officer, e, self_paid="5000", day=datetime.date(2026, 5, 2))
    assert second.subsidy == Decimal("1000.00") and second.capped  # (5000 − 1000) × 0.5 = 2000, 1000 left
    with pytest.raises(ValidationError) as exc:
        file_claim(cast.grassroots_officer, e, self_paid="2000", day=datetime.date(2026, 6, 1))
    msg = exc.value.message_dict["self_paid"][0]
    assert "5000" in msg and "已" in msg and MutualClaim.objects.count() == 2
    # a refused claim gives its share of the cap back
    mutual.claim_refuse(actor=actor_for(cast.officer_a), claim=first, reason="材料不全")
    third = file_claim(cast.grassroots_officer, e, self_paid="2000", day=datetime.date(2026, 6, 1))
    assert third.subsidy == Decimal("500.00") and not third.capped


def test_rounding_deductible_and_special_illness_pool(cast):
    plan = make_plan(cast, ratio="0.333")
    e = enrolled(cast, plan)
    assert file_claim(cast.grassroots_officer, e, self_paid="1001.50").subsidy == Decimal("0.50")  # 0.4995
    with pytest.raises(ValidationError) as exc:
        file_claim(cast.grassroots_officer, e, self_paid="1000")
    assert "1000" in exc.value.message_dict["self_paid"][0]
    cancer = file_claim(cast.grassroots_officer, e, self_paid="31000",
                        special="恶性肿瘤")
    assert cancer.subsidy == Decimal("20000.00") and cancer.capped  # 0.7 × 30000 = 21000, its own cap 20000
    # the special illness's pool is its own: the plan's cap is untouched
    assert mutual.used_this_year(e) == Decimal("0.50")
    assert file_claim(cast.grassroots_officer, e, self_paid="4000").subsidy == Decimal("999.00")
    with pytest.raises(ValidationError) as exc:
        file_claim(cast.grassroots_officer, e, self_paid="5000", special="恶性肿瘤")
    assert "恶性肿瘤" in exc.value.message_dict["self_paid"][0]
    assert MutualClaim.objects.get(pk=cancer.pk).special_illness == "恶性肿瘤"


def test_bad_input_is_named_in_chinese(cast):
    plan = make_plan(cast)
    e = enrolled(cast, plan)
    day = datetime.date(2026, 3, 10)
    with pytest.raises(ValidationError) as exc:
        mutual.claim_file(actor=actor_for(cast.grassroots_officer), enrolment=e, admitted_on=day,
                          discharged_on=day - datetime.timedelta(days=2), total_bill="1000", insurance_paid="800",
                          self_paid="300", illness="", special_illness="感冒", bank_account="12ab")
    errors = exc.value.message_dict
    assert set(errors) == {"discharged_on", "illness", "special_illness", "self_paid", "bank_account"}
    assert "出院" in errors["discharged_on"][0] and "起付线" not in errors["self_paid"][0]
    with pytest.raises(ValidationError) as exc:
        file_claim(cast.grassroots_officer, e, total="abc")
    assert "元" in exc.value.message_dict["total_bill"][0]
    with pytest.raises(ValidationError) as exc:
        file_claim(cast.grassroots_officer, e, day=datetime.date(2025, 12, 1))
    assert "2026" in exc.value.message_dict["discharged_on"][0]
    for bad in ('[{"illness": "x"}]', '[{"illness": "甲", "ratio": "1.5", "cap": "1"}]', "nope",
                '[{"illness": "甲", "ratio": "0.5", "cap": "1"}, {"illness": "甲", "ratio": "0.5", "cap": "1"}]'):
        with pytest.raises(ValidationError) as exc:
            mutual.validate_special(bad)
        assert "special_rules" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_plan(cast, name="坏计划", ratio="2")
    assert "ratio" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_plan(cast, name="坏计划", annual_cap="0")
    assert "annual_cap" in exc.value.message_dict
    assert MutualClaim.objects.count() == 0


def test_enrolment_once_per_plan_and_only_members(cast):
    plan = make_plan(cast)
    e = enrolled(cast, plan)
    officer = actor_for(cast.grassroots_officer)
    with pytest.raises(ValidationError) as exc:
        mutual.enrol(actor=officer, plan=plan, unit=cast.grassroots_a, person=e.person)
    assert "已" in exc.value.message_dict["person"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        MutualEnrolment.objects.create(plan=plan, year=2026, unit=cast.grassroots_a, org_path=cast.grassroots_a.path,
                                       person=e.person, enrolled_on=datetime.date(2026, 1, 5), contribution=60)
    # a member of the branch is in the unit's subtree; the unit's member is not one of the branch
    from gonghui.members.tests.factories import add_member

    branch_person = add_member(cast.grassroots_officer, cast.branch_a, name="周敏").person
    assert mutual.enrol(actor=officer, plan=plan, unit=cast.grassroots_a, person=branch_person).contribution == 60
    with pytest.raises(ValidationError) as exc:
        mutual.enrol(actor=officer, plan=plan, unit=cast.branch_a, person=enrolled(cast, plan, "吴刚").person)
    assert "person" in exc.value.message_dict
    closed = make_plan(cast, name="已关闭计划")
    mutual.plan_close(actor=actor_for(cast.officer_a), plan=closed)
    with pytest.raises(ValidationError) as exc:
        mutual.enrol(actor=officer, plan=closed, unit=cast.grassroots_a, person=branch_person)
    assert "plan" in exc.value.message_dict


def test_second_person_approves_into_a_grant_paid_by_a_batch(cast):
    from gonghui.funds.models import Voucher

    plan = make_plan(cast)
    e = enrolled(cast, plan)
    claim = file_claim(cast.officer_a, e)  # filed by the county officer: they cannot approve it
    with pytest.raises(PermissionDenied):
        mutual.claim_approve(actor=actor_for(cast.officer_a), claim=claim)
    claim = mutual.claim_approve(actor=actor_for(cast.city_staff), claim=claim)
    g = claim.grant
    assert claim.state == ClaimState.APPROVED and claim.status == ClaimState.APPROVED
    assert g.state == GrantState.APPROVED and g.amount == Decimal("1000.00") and g.program == plan.program
    assert g.person == e.person and g.org == cast.grassroots_a and g.applied_by == cast.officer_a
    plan.program.refresh_from_db()
    assert plan.program.approved_total == Decimal("1000.00")
    with pytest.raises(ValidationError):
        mutual.claim_approve(actor=actor_for(cast.city_staff), claim=claim)
    staff = actor_for(cast.officer_a)
    batch = programs.batch_create(actor=staff, program=plan.program)
    batch = programs.batch_pay(actor=staff, batch=batch, bank_reference="ICBC-MUTUAL-1",
                               paid_on=datetime.date(2026, 4, 1))
    claim = MutualClaim.objects.select_related("grant").get(pk=claim.pk)
    assert claim.status == ClaimState.PAID and claim.get_status_display() == "已拨付"
    assert Voucher.objects.get(pk=batch.voucher_id).total == Decimal("1000.00")
    with pytest.raises(ValidationError):  # paid: no refusal any more
        mutual.claim_refuse(actor=staff, claim=claim, reason="重复报销")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"aid.mutual_plan_create", "aid.mutual_enrol", "aid.mutual_claim_file", "aid.mutual_claim_approve",
            "aid.grant_approve", "aid.batch_pay"} <= actions


def test_fund_is_a_cap_and_a_refused_approved_claim_gives_it_back(cast):
    plan = make_plan(cast, fund="1500")
    a, b = enrolled(cast, plan, "张三"), enrolled(cast, plan, "李四")
    ca, cb = file_claim(cast.grassroots_officer, a), file_claim(cast.grassroots_officer, b)
    checker = actor_for(cast.officer_a)
    mutual.claim_approve(actor=checker, claim=ca)
    with pytest.raises(ValidationError) as exc:
        mutual.claim_approve(actor=checker, claim=cb)
    assert "1500" in exc.value.messages[0]
    cb.refresh_from_db()
    assert cb.state == ClaimState.APPLIED and cb.grant_id is None
    ca = mutual.claim_refuse(actor=checker, claim=MutualClaim.objects.get(pk=ca.pk), reason="发票不符")
    assert ca.state == ClaimState.REFUSED and ca.grant.state == GrantState.REFUSED
    assert mutual.claim_approve(actor=checker, claim=cb).state == ClaimState.APPROVED
    with pytest.raises(ValidationError) as exc:
        mutual.claim_refuse(actor=checker, claim=cb, reason="")
    assert "reason" in exc.value.message_dict


def test_a_grant_refused_from_the_grants_screen_shows_on_the_claim_and_frees_the_cap(cast):
    plan = make_plan(cast)
    e = enrolled(cast, plan)
    claim = file_claim(cast.grassroots_officer, e, self_paid="11000")  # 5000: the whole cap
    claim = mutual.claim_approve(actor=actor_for(cast.officer_a), claim=claim)
    with pytest.raises(ValidationError):
        file_claim(cast.grassroots_officer, e)
    programs.grant_refuse(actor=actor_for(cast.officer_a), grant=claim.grant, reason="冒领")
    claim = MutualClaim.objects.select_related("grant").get(pk=claim.pk)
    assert claim.status == ClaimState.REFUSED
    assert file_claim(cast.grassroots_officer, e).subsidy == Decimal("1000.00")


def test_other_county_grassroots_and_the_mutual_program_refuse(cast):
    plan = make_plan(cast)
    e = enrolled(cast, plan)
    claim = file_claim(cast.grassroots_officer, e)
    with pytest.raises(Http404):
        mutual.claim_approve(actor=actor_for(cast.officer_b), claim=claim)
    with pytest.raises(PermissionDenied):
        mutual.claim_approve(actor=actor_for(cast.grassroots_officer), claim=claim)
    with pytest.raises(Http404):
        file_claim(cast.officer_b, e)
    with pytest.raises(Http404):
        mutual.enrol(actor=actor_for(cast.officer_b), plan=plan, unit=cast.grassroots_a, person=e.person)
    with pytest.raises(PermissionDenied):
        mutual.plan_close(actor=actor_for(cast.grassroots_officer), plan=plan)
    with pytest.raises(Http404):
        make_plan(cast, org=cast.county_a, name="越权").__class__  # noqa: B018 (officer_a covers county A)
        mutual.plan_create(actor=actor_for(cast.officer_b), org=cast.county_a, year=2026, name="越权计划",
                           contribution=60, deductible=1000, ratio="0.5", annual_cap=5000, fund=1000)
    # the plan's program pays only through claims
    with pytest.raises(ValidationError) as exc:
        programs.grant_apply(actor=actor_for(cast.grassroots_officer), program=plan.program, person=e.person,
                             org=cast.grassroots_a)
    assert "program" in exc.value.message_dict
    assert plan.state == PlanState.OPEN


def test_the_retention_sweep_clears_a_paid_claims_health_data_ten_years_on(cast):
    from django.db import connection
    from django.utils import timezone

    from gonghui.privacy import retention

    plan = make_plan(cast)
    claim = file_claim(cast.grassroots_officer, enrolled(cast, plan), special="恶性肿瘤", self_paid="2000")
    waiting = file_claim(cast.grassroots_officer, enrolled(cast, plan, "赵六"))
    claim = mutual.claim_approve(actor=actor_for(cast.officer_a), claim=claim)
    batch = programs.batch_create(actor=actor_for(cast.officer_a), program=plan.program)
    programs.batch_pay(actor=actor_for(cast.officer_a), batch=batch, bank_reference="REF-OLD-1",
                       paid_on=datetime.date(2026, 4, 1))
    with connection.cursor() as cur:
        cur.execute("SELECT illness FROM aid_mutualclaim WHERE id = %s", [claim.pk])
        assert "肺炎" not in cur.fetchone()[0]  # encrypted at rest
    later = timezone.make_aware(datetime.datetime(2036, 3, 1))
    assert retention.retention_sweep(now=later)["mutual_claims"] == 0
    later = timezone.make_aware(datetime.datetime(2036, 5, 1))
    assert retention.retention_sweep(now=later)["mutual_claims"] == 1
    claim = MutualClaim.objects.get(pk=claim.pk)
    assert claim.illness == claim.special_illness == claim.bank_account == ""
    assert claim.subsidy == Decimal("700.00")  # the amounts stay for the books and the figures
    assert MutualClaim.objects.get(pk=waiting.pk).illness == "肺炎住院"
    assert retention.retention_sweep(now=later)["mutual_claims"] == 0
