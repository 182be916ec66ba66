"""Grants in bulk: 送温暖 from the hardship archive (counts, re-run, the one-grant index, concurrency), approval of
all by a second person under the budget, batches of grants with and without a bank account; permissions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from gonghui.aid import programs, rules, warmth
from gonghui.aid.models import Grant, GrantState, ProgramKind
from gonghui.aid.testing_archive import standard
from gonghui.aid.testing_programs import make_program
from gonghui.aid.testing_warmth import filed, warmth_program
from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent

D = Decimal


@pytest.fixture
def archive(cast, monkeypatch):
    """Two 深度困难 households and one 相对困难 of registry members, one 深度困难 of a worker not in the registry."""
    monday_2_march_2026(monkeypatch)
    standard(cast.city, 2026, "1000.00")
    return {"deep1": filed(cast, "张三丰"), "deep2": filed(cast, "李四海"),
            "relative": filed(cast, "王五", income="3000"), "outside": filed(cast, "赵六", registry=False)}


def test_from_archive_counts_amounts_by_category_and_a_rerun_creates_nothing(cast, archive):
    program = warmth_program(cast)
    result = warmth.grants_from_archive(actor=actor_for(cast.officer_a), program=program)
    assert (result.created, result.already, result.ineligible, result.no_person) == (3, 0, 0, 1)
    assert result.missing == [archive["outside"].pk]
    grants = {g.person_id: g for g in Grant.objects.filter(program=program)}
    assert grants[archive["deep1"].person_id].amount == D("1000.00")
    assert grants[archive["relative"].person_id].amount == D("500.00")
    assert all(g.state == GrantState.APPLIED and g.bank_account == "" and g.org == cast.grassroots_a
               for g in grants.values())
    assert programs.grant_facts(grants[archive["deep2"].person_id]) == {"category": "深度困难"}
    events = AuditEvent.objects.filter(action="aid.grant_from_archive")
    assert events.count() == 1 and events.get().details["created"] == 3 and events.get().details["no_person"] == 1
    assert not AuditEvent.objects.filter(action="aid.grant_apply").exists()  # one event, not one per grant
    again = warmth.grants_from_archive(actor=actor_for(cast.officer_a), program=program)
    assert (again.created, again.already, again.ineligible, again.no_person) == (0, 3, 0, 1)
    assert Grant.objects.filter(program=program).count() == 3


def test_from_archive_counts_the_ineligible_and_those_with_a_grant(cast, archive):
    program = warmth_program(cast, rules={"household_on_file": True, "categories": ["深度困难"],
                                          "amount": {"fixed": "600"}})
    programs.grant_apply(actor=actor_for(cast.grassroots_officer), program=program, person=archive["deep1"].person,
                         org=cast.grassroots_a, bank_account="6222021234567890123")
    result = warmth.grants_from_archive(actor=actor_for(cast.officer_a), program=program)
    assert (result.created, result.already, result.ineligible, result.no_person) == (1, 1, 1, 1)
    assert Grant.objects.get(program=program, person=archive["deep2"].person).amount == D("600.00")


def test_the_one_grant_index_holds_and_a_concurrent_grant_is_counted_as_already(cast, archive, monkeypatch):
    program = warmth_program(cast)
    # A grant applied between the batch's read of the live grants and its insert: the insert skips it.
    real = warmth.rules_mod.evaluate

    def evaluate_then_apply(*args, **kw):
        if not Grant.objects.filter(program=program).exists():
            Grant.objects.create(program=program, kind=program.kind, period_key="2026", one_per_person=True,
                                 org=cast.grassroots_a, org_path=cast.grassroots_a.path,
                                 person=archive["deep1"].person, amount=D("1000"))
        return real(*args, **kw)

    monkeypatch.setattr(warmth.rules_mod, "evaluate", evaluate_then_apply)
    result = warmth.grants_from_archive(actor=actor_for(cast.officer_a), program=program)
    assert (result.created, result.already) == (2, 1)
    assert Grant.objects.filter(program=program, person=archive["deep1"].person).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(program=program, kind=program.kind, period_key="2026", one_per_person=True,
                             org=cast.grassroots_a, org_path=cast.grassroots_a.path, person=archive["deep2"].person,
                             amount=D("1000"))


def test_from_archive_refuses_rules_needing_an_application_and_other_subtrees(cast, archive):
    scholarship = make_program(cast, kind=ProgramKind.SCHOLARSHIP)
    with pytest.raises(ValidationError):
        warmth.grants_from_archive(actor=actor_for(cast.officer_a), program=scholarship)
    program = warmth_program(cast)
    with pytest.raises(Http404):
        warmth.grants_from_archive(actor=actor_for(cast.officer_b), program=program)
    with pytest.raises(Http404):  # the paying union's subtree is wider than the actor's
        warmth.grants_from_archive(actor=actor_for(cast.grassroots_officer), program=program)
    with pytest.raises(PermissionDenied):
        warmth.grants_from_archive(actor=actor_for(cast.auditor_a), program=program)
    # the grassroots officer may take its own unit's households
    result = warmth.grants_from_archive(actor=actor_for(cast.grassroots_officer), program=program,
                                        org=cast.grassroots_a)
    assert result.created == 3
    assert not Grant.objects.exclude(program=program).exists()


def test_category_rules_validate_evaluate_and_describe():
    with pytest.raises(ValidationError):
        rules.validate({"categories": ["特困"], "amount": {"fixed": "1"}})
    with pytest.raises(ValidationError):
        rules.validate({"amount": {"by_category": {"深度困难": "x"}}})
    r = rules.validate({"categories": ["相对困难", "深度困难"], "amount": {"by_category": {"相对困难": "500",
                                                                                     "深度困难": "1000"}}})
    assert r["categories"] == ["深度困难", "相对困难"] and r["amount"]["by_category"]["深度困难"] == "1000.00"
    assert any("深度困难 1000.00" in line for line in rules.describe(r))
    assert rules.archive_judgeable(r) and not rules.archive_judgeable(rules.defaults_for(ProgramKind.HOSPITAL))


def _from_archive(cast, **kw):
    program = warmth_program(cast, **kw)
    warmth.grants_from_archive(actor=actor_for(cast.officer_a), program=program)
    return program


def test_approve_all_by_a_second_person_leaves_the_own_applications(cast, archive):
    program = _from_archive(cast)  # applied by officer_a
    with pytest.raises(ValidationError):  # all three are officer_a's own
        warmth.grants_approve_many(actor=actor_for(cast.officer_a), program=program)
    other = programs.grant_apply(actor=actor_for(cast.grassroots_officer), program=program,
                                 person=filed(cast, "钱七").person, org=cast.grassroots_a)
    preview = warmth.approve_all_preview(actor=actor_for(cast.officer_a), program=program)
    assert (preview.count, preview.total, preview.own) == (1, D("1000.00"), 3)
    assert warmth.grants_approve_many(actor=actor_for(cast.officer_a), program=program) == 1
    other.refresh_from_db()
    program.refresh_from_db()
    assert other.state == GrantState.APPROVED and other.decided_by == cast.officer_a
    assert program.approved_total == D("1000.00")
    assert Grant.objects.filter(program=program, state=GrantState.APPLIED).count() == 3
    event = AuditEvent.objects.get(action="aid.grant_approve_many")
    assert event.details == {"count": 1, "total": "1000.00", "own_left": 3}


def test_approve_all_refuses_the_whole_approval_past_the_budget_naming_the_figures(cast, archive):
    program = warmth_program(cast, budget="2000")
    warmth.grants_from_archive(actor=actor_for(cast.grassroots_officer), program=program, org=cast.grassroots_a)
    with pytest.raises(ValidationError) as exc:
        warmth.grants_approve_many(actor=actor_for(cast.officer_a), program=program)
    text = exc.value.messages[0]
    assert "2500.00" in text and "2000.00" in text and "3" in text
    assert not Grant.objects.filter(program=program, state=GrantState.APPROVED).exists()
    program.refresh_from_db()
    assert program.approved_total == 0
    # the given ids only: within the budget
    ids = list(Grant.objects.filter(program=program, amount=D("1000")).values_list("pk", flat=True))
    assert warmth.grants_approve_many(actor=actor_for(cast.officer_a), program=program, ids=ids) == 2
    program.refresh_from_db()
    assert program.approved_total == D("2000.00")


def test_approve_all_permissions(cast, archive):
    program = _from_archive(cast)
    for user, exc in ((cast.officer_b, Http404), (cast.grassroots_officer, PermissionDenied),
                      (cast.auditor_a, PermissionDenied)):
        with pytest.raises(exc):
            warmth.grants_approve_many(actor=actor_for(user), program=program)


def test_a_grant_without_a_bank_account_waits_out_of_the_batch(cast, archive):
    program = warmth_program(cast)
    warmth.grants_from_archive(actor=actor_for(cast.grassroots_officer), program=program, org=cast.grassroots_a)
    with_account = programs.grant_apply(actor=actor_for(cast.grassroots_officer), program=program,
                                        person=filed(cast, "钱七").person, org=cast.grassroots_a,
                                        bank_account="6222021234567890123")
    assert warmth.grants_approve_many(actor=actor_for(cast.officer_a), program=program) == 4
    batch = programs.batch_create(actor=actor_for(cast.officer_a), program=program)
    assert batch.count == 1 and batch.total == with_account.amount
    with pytest.raises(ValidationError) as exc:
        programs.batch_create(actor=actor_for(cast.officer_a), program=program)
    assert "3" in exc.value.messages[0]
    assert Grant.objects.filter(program=program, batch__isnull=True, state=GrantState.APPROVED).count() == 3


def test_setting_the_bank_account_lets_the_grant_into_the_next_batch(cast, archive, login):
    program = warmth_program(cast)
    warmth.grants_from_archive(actor=actor_for(cast.grassroots_officer), program=program, org=cast.grassroots_a)
    grant = Grant.objects.get(program=program, person=archive["deep1"].person)
    with pytest.raises(ValidationError) as exc:
        warmth.grant_set_account(actor=actor_for(cast.grassroots_officer), grant=grant, bank_account="12ab")
    assert "bank_account" in exc.value.message_dict
    with pytest.raises(Http404):
        warmth.grant_set_account(actor=actor_for(cast.officer_b), grant=grant, bank_account="6222021234567890")
    page = login(cast.grassroots_officer).get(f"/aid/grants/{grant.pk}/")
    assert 'id="account-form"' in page.content.decode()
    r = login(cast.grassroots_officer).post(f"/aid/grants/{grant.pk}/account/", {"bank_account": "x"})
    assert r.status_code == 422
    r = login(cast.grassroots_officer).post(f"/aid/grants/{grant.pk}/account/",
                                            {"bank_account": "6222 0212 3456 7890"})
    assert r.status_code == 302
    grant.refresh_from_db()
    assert grant.bank_account == "6222021234567890"
    assert AuditEvent.objects.get(action="aid.grant_account").details == {}  # never the number
    assert login(cast.officer_b).post(f"/aid/grants/{grant.pk}/account/",
                                      {"bank_account": "6222021234567890"}).status_code == 404
    warmth.grants_approve_many(actor=actor_for(cast.officer_a), program=program)
    batch = programs.batch_create(actor=actor_for(cast.officer_a), program=program)
    assert (batch.count, batch.total) == (1, D("1000.00"))
    with pytest.raises(ValidationError):  # in a batch: the account is fixed
        warmth.grant_set_account(actor=actor_for(cast.grassroots_officer), grant=grant,
                                 bank_account="6222021234567891")
