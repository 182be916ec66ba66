"""The ledger lines' foreign keys on PostgreSQL are statement triggers (migration 0007), not row-level constraints:
every way of writing a line (COPY, ORM insert, UPDATE) still refuses a missing voucher, account or decision, and
a voucher, account, decision or flagged line still referenced cannot be deleted."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from gonghui.funds.journal.writing import insert_rows
from gonghui.funds.models import Account, Alert, AlertLine, Decision, Voucher, VoucherLine
from gonghui.funds.models.budget import MeetingKind
from gonghui.funds.testing import expense

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the statement triggers are PostgreSQL's"),
]

MISSING = 2_000_000_000


@pytest.fixture
def line(cast):
    voucher = expense(cast.grassroots_officer, cast.grassroots_a, Decimal("300.00"))
    return voucher.lines.get(line_no=1)


@pytest.fixture
def decision(cast):
    org = cast.grassroots_a
    return Decision.objects.create(org=org, org_path=org.path, kind=MeetingKind.COMMITTEE,
                                   date=datetime.date(2026, 2, 1), reference="工会〔2026〕1号", title="采购")


def refused(message: str):
    return pytest.raises(IntegrityError, match=message)


def copy_of(line, **changes) -> VoucherLine:
    fields = {f.attname: getattr(line, f.attname) for f in VoucherLine._meta.concrete_fields if not f.primary_key}
    fields.update(changes)
    return VoucherLine(**fields)


def test_the_row_level_constraints_are_gone_and_the_triggers_there():
    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
                       "WHERE contype = 'f' AND conrelid IN ('funds_voucherline'::regclass, "
                       "'funds_alertline'::regclass)")
        left = set(cursor.fetchall())
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'funds_%%fk_check%%' "
                       "OR tgname LIKE 'funds_%%fk_guard%%'")
        triggers = {name for (name,) in cursor.fetchall()}
    assert left == {("funds_alertline", "funds_alert")}
    assert triggers == ({f"{t}_fk_check_{e}" for t in ("funds_voucherline", "funds_alertline")
                         for e in ("insert", "update")}
                        | {f"{t}_fk_guard_{e}" for t in ("funds_voucher", "funds_account", "funds_decision",
                                                         "funds_voucherline") for e in ("delete", "update")})


@pytest.mark.parametrize("column", ["voucher_id", "account_id", "decision_id"])
def test_an_orm_insert_pointing_at_a_missing_parent_is_refused(line, column):
    with refused(f"{column} = {MISSING} is not present"), transaction.atomic():
        copy_of(line, line_no=9, **{column: MISSING}).save()
    assert not VoucherLine.objects.filter(line_no=9).exists()


def test_an_insert_with_every_key_present_is_accepted(line, decision):
    copy_of(line, line_no=9, decision_id=decision.pk).save()
    assert VoucherLine.objects.get(line_no=9).decision == decision


@pytest.mark.parametrize("column", ["voucher_id", "account_id", "decision_id"])
def test_a_copy_pointing_at_a_missing_parent_is_refused(line, column):
    columns = ("voucher_id", "org_path", "date", "line_no", "account_id", "kind", "summary", "debit", "credit",
               "counterparty", "invoice_code", "invoice_number", "decision_ref", "decision_id", "pay_method",
               "voided")
    good = copy_of(line, line_no=9)
    rows = [tuple(getattr(good, c) for c in columns), tuple(getattr(copy_of(good, line_no=10, **{column: MISSING}), c)
                                                            for c in columns)]
    with refused(f"{column} = {MISSING} is not present"), transaction.atomic():
        insert_rows(VoucherLine, columns, rows)
    assert not VoucherLine.objects.filter(line_no__in=(9, 10)).exists()
    assert insert_rows(VoucherLine, columns, rows[:1]) == 1


@pytest.mark.parametrize("column", ["voucher_id", "account_id", "decision_id"])
def test_an_update_to_a_missing_parent_is_refused(line, column):
    with refused(f"{column} = {MISSING} is not present"), transaction.atomic():
        VoucherLine.objects.filter(pk=line.pk).update(**{column: MISSING})
    line.refresh_from_db()
    assert getattr(line, column) != MISSING


def test_an_update_of_other_columns_of_many_lines_is_not_checked_against_their_keys(line):
    assert VoucherLine.objects.filter(voucher=line.voucher).update(summary="改", voided=True) == 2


def test_deleting_a_referenced_voucher_account_or_decision_is_refused(line, decision):
    VoucherLine.objects.filter(pk=line.pk).update(decision=decision)
    for table, pk in (("funds_voucher", line.voucher_id), ("funds_account", line.account_id),
                      ("funds_decision", decision.pk)):
        with refused(f"id = {pk} is still referenced from table \"funds_voucherline\""), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
    assert Voucher.objects.filter(pk=line.voucher_id).exists() and Decision.objects.filter(pk=decision.pk).exists()
    with refused("is still referenced"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE funds_account SET id = %s WHERE id = %s", [MISSING, line.account_id])


def test_a_parent_nothing_points_at_is_deleted_and_the_orm_cascade_still_works(cast, line, decision):
    spare = Account.objects.create(chart_id=line.account.chart_id, org=cast.grassroots_a, parent=line.account,
                                   code="5010199", name="备用", path=f"{line.account.path}-备用",
                                   kind=line.account.kind, depth=line.account.depth + 1)
    spare.delete()
    VoucherLine.objects.filter(pk=line.pk).update(decision=decision)
    decision.delete()  # SET_NULL: Django clears the lines' reference first
    line.refresh_from_db()
    assert line.decision_id is None
    voucher = line.voucher
    voucher.delete()  # CASCADE: the lines first, then the voucher
    assert not VoucherLine.objects.filter(voucher_id=voucher.pk).exists()


def test_a_flagged_line_is_checked_and_kept(cast, line):
    org = cast.grassroots_a
    alert = Alert.objects.create(rule="banned_item", key="t", union=org, org_path=org.path, year=2026,
                                 first_date=line.date, message="测试")
    with refused(f"line_id = {MISSING} is not present"), transaction.atomic():
        AlertLine.objects.create(alert=alert, line_id=MISSING)
    AlertLine.objects.create(alert=alert, line=line)
    with refused("is still referenced from table \"funds_alertline\""), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("DELETE FROM funds_voucherline WHERE id = %s", [line.pk])
    line.voucher.delete()  # the ORM deletes the flagged lines' rows first
    assert not AlertLine.objects.filter(alert=alert).exists()
