"""Programs and grants: rules, the one-grant constraint, maker-checker, the budget cap, payment batches."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from gonghui.aid import programs, rules
from gonghui.aid.models import BatchState, Grant, GrantState, ProgramKind
from gonghui.aid.testing_programs import make_program, member
from gonghui.core.access import actor_for


def _apply(cast, program, person, **facts):
    return programs.grant_apply(actor=actor_for(cast.grassroots_officer), program=program, person=person,
                                org=cast.grassroots_a, facts=facts, bank_account="6222021234567890123")


def test_scholarship_refused_for_an_ineligible_child_and_paid_for_an_eligible_one(cast):
    from gonghui.funds.models import Voucher

    program = make_program(cast, kind=ProgramKind.SCHOLARSHIP)
    person = member(cast)
    with pytest.raises(ValidationError) as exc:
        _apply(cast, program, person, admission_year="2025", school_level="本科", school_type="公办")
    assert "admission_year" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _apply(cast, program, person, admission_year="2026", school_level="初中")
    assert "school_level" in exc.value.message_dict
    grant = _apply(cast, program, person, admission_year="2026", school_level="本科", school_type="民办")
    assert grant.amount == Decimal("3500.00") and grant.state == GrantState.APPLIED
    programs.grant_approve(actor=actor_for(cast.officer_a), grant=grant)
    batch = programs.batch_create(actor=actor_for(cast.officer_a), program=program)
    batch = programs.batch_pay(actor=actor_for(cast.officer_a), batch=batch, bank_reference="ICBC-20260901-77",
                               paid_on=datetime.date(2026, 9, 1))
    grant.refresh_from_db()
    assert grant.state == GrantState.PAID and grant.paid_on == datetime.date(2026, 9, 1)
    v = Voucher.objects.get(pk=batch.voucher_id)
    assert v.source_ref == f"aid.batch:{batch.pk}" and v.total == Decimal("3500.00") and v.org == cast.county_a
    debit = v.lines.order_by("line_no").select_related("account").first()
    assert debit.account.path == "维权支出-困难职工帮扶" and debit.debit == Decimal("3500.00")


def test_second_grant_in_the_period_is_refused_by_the_database(cast):
    program = make_program(cast, kind=ProgramKind.WARMTH)
    person = member(cast)
    first = _apply(cast, program, person)
    with pytest.raises(ValidationError):
        _apply(cast, program, person)  # the service's friendly message
    # bypass the service: the partial unique index refuses the row
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(program=program, kind=program.kind, period_key="2026", one_per_person=True,
                             org=cast.grassroots_a, org_path=cast.grassroots_a.path, person=person,
                             amount=Decimal("500"))
    # a refused grant frees the slot; a program allowing several has no constraint
    programs.grant_refuse(actor=actor_for(cast.officer_a), grant=first, reason="重复申请")
    assert _apply(cast, program, person).state == GrantState.APPLIED
    many = make_program(cast, kind=ProgramKind.HOSPITAL, one_per_person=False, name="住院慰问")
    _apply(cast, many, person, hospital_days=3)
    assert _apply(cast, many, person, hospital_days=20).amount == Decimal("1000.00")


def test_bereavement_only_for_listed_relatives(cast):
    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    person = member(cast)
    with pytest.raises(ValidationError) as exc:
        _apply(cast, program, person, relationship="叔叔")
    assert "叔叔" in exc.value.message_dict["relationship"][0]
    with pytest.raises(ValidationError):
        _apply(cast, program, person)
    assert _apply(cast, program, person, relationship="岳父母").amount == Decimal("500.00")


def test_hospital_amount_by_days_bands(cast):
    program = make_program(cast, kind=ProgramKind.HOSPITAL, one_per_person=False)
    d = [rules.evaluate(program, {"hospital_days": n}) for n in (0, 1, 7, 8, 14, 15, 90)]
    assert [x.amount if x.ok else None for x in d] == [None, Decimal("300"), Decimal("300"), Decimal("500"),
                                                       Decimal("500"), Decimal("1000"), Decimal("1000")]


def test_maker_cannot_approve_and_budget_is_a_cap(cast):
    program = make_program(cast, kind=ProgramKind.WARMTH, budget="900")
    staff = actor_for(cast.officer_a)
    g1 = programs.grant_apply(actor=staff, program=program, person=member(cast, "张三"), org=cast.grassroots_a)
    with pytest.raises(PermissionDenied):
        programs.grant_approve(actor=staff, grant=g1)
    g2 = _apply(cast, program, member(cast, "李四"))
    programs.grant_approve(actor=staff, grant=g2)
    g1.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        programs.grant_approve(actor=actor_for(cast.city_staff), grant=g1)
    assert "900" in exc.value.messages[0] and "400" in exc.value.messages[0]
    g1.refresh_from_db()
    program.refresh_from_db()
    assert g1.state == GrantState.APPLIED and program.approved_total == Decimal("500.00")


def test_batch_twice_and_wrong_account(cast):
    from gonghui.funds.models import Voucher

    program = make_program(cast, kind=ProgramKind.WARMTH)
    g = _apply(cast, program, member(cast))
    staff = actor_for(cast.officer_a)
    programs.grant_approve(actor=staff, grant=g)
    batch = programs.batch_create(actor=staff, program=program)
    with pytest.raises(ValidationError):
        programs.batch_create(actor=staff, program=program)
    with pytest.raises(ValidationError) as exc:
        programs.batch_pay(actor=staff, batch=batch, bank_reference="")
    assert "bank_reference" in exc.value.message_dict
    programs.batch_pay(actor=staff, batch=batch, bank_reference="REF-0001")
    with pytest.raises(ValidationError):
        programs.batch_pay(actor=staff, batch=batch, bank_reference="REF-0002")
    assert Voucher.objects.filter(source_ref=f"aid.batch:{batch.pk}").count() == 1
    batch.refresh_from_db()
    assert batch.state == BatchState.PAID and batch.bank_reference == "REF-0001"


def test_program_refuses_a_non_expense_account_and_bad_rules(cast):
    with pytest.raises(ValidationError) as exc:
        make_program(cast, budget_account="银行存款")
    assert "budget_account" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_program(cast, rules={"amount": {"fixed": "-5"}})
    assert "rules" in exc.value.message_dict
    program = make_program(cast, kind=ProgramKind.CUSTOM)
    for bad in ('{"amount": {}}', '{"relatives": ["叔叔"], "amount": {"fixed": 1}}', "not json",
                '{"amount": {"by_days": [[8, "5"], [1, "3"]]}}', '{"x": 1, "amount": {"fixed": 1}}'):
        with pytest.raises(ValidationError):
            programs.program_set_rules(actor=actor_for(cast.officer_a), program=program, rules=bad)
    programs.program_set_rules(actor=actor_for(cast.officer_a), program=program,
                               rules=json.dumps({"relatives": ["父", "母"], "amount": {"fixed": 200}}))
    program.refresh_from_db()
    assert program.rules == {"relatives": ["父", "母"], "amount": {"fixed": "200.00"}}
    assert any("父、母" in line for line in rules.describe(program.rules))


def test_other_county_and_grassroots_refused(cast):
    program = make_program(cast, kind=ProgramKind.WARMTH)
    g = _apply(cast, program, member(cast))
    with pytest.raises(Http404):
        programs.grant_approve(actor=actor_for(cast.officer_b), grant=g)
    with pytest.raises(PermissionDenied):
        programs.grant_approve(actor=actor_for(cast.grassroots_officer), grant=g)
    with pytest.raises(Http404):
        programs.grant_apply(actor=actor_for(cast.officer_b), program=program, person=g.person,
                             org=cast.grassroots_a)
    # a member of another union
    with pytest.raises(ValidationError) as exc:
        programs.grant_apply(actor=actor_for(cast.officer_a), program=program, person=g.person,
                             org=cast.township_a)
    assert "person" in exc.value.message_dict
