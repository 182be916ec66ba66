"""The expense totals the PostgreSQL rule engine reads (``funds_expense_total``) follow every way lines are written:
posting, a journal import (COPY), a reversal, a moved union, a deleted or truncated line."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from gonghui.core.access import actor_for
from gonghui.funds import books, journal
from gonghui.funds.models import Account, Voucher, VoucherLine
from gonghui.funds.rules import totals
from gonghui.funds.testing import expense
from gonghui.orgs.models import Org
from gonghui.orgs.services import org_move

from .journal_files import kingdee_csv

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's rules sum the lines (no totals table)")


def kept(org_path: str, year: int = 2026) -> dict[str, Decimal]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT account_id, total FROM {totals.TABLE} WHERE org_path = %s AND year = %s "
                    "AND total <> 0", [org_path, year])
        rows = cur.fetchall()
    paths = dict(Account.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "path"))
    return {paths[a]: t for a, t in rows}


def test_posting_and_reversing_keep_the_totals(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    v = expense(u, g, "150.25", account="50101")
    expense(u, g, "49.75", account="50101", date=datetime.date(2026, 6, 1))
    expense(u, g, "80", account="50302", date=datetime.date(2025, 12, 31))
    assert kept(g.path) == {"职工活动支出-职工教育": Decimal("200.00")}
    assert kept(g.path, 2025) == {"业务支出-会议": Decimal("80.00")}
    books.voucher_reverse(actor=actor_for(u), voucher=v, reason="录错")
    assert kept(g.path) == {"职工活动支出-职工教育": Decimal("49.75")}  # both the voucher and its reversal are voided
    assert totals.drift(connection) == []


def test_a_journal_import_by_copy_is_counted(cast):
    result = journal.journal_import(actor=actor_for(cast.grassroots_officer), org=cast.grassroots_a, year=2026,
                                    data=kingdee_csv(), filename="kingdee.csv")
    assert result.committed
    assert kept(cast.grassroots_a.path) == {"业务支出-培训": Decimal("1500.00"), "行政支出-办公费": Decimal("320.50")}
    assert totals.drift(connection) == []


def test_a_moved_union_takes_its_totals_and_deleted_lines_leave(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    expense(u, g, "300", account="50101")
    old = g.path
    org_move(actor=actor_for(cast.city_staff), org=g, new_parent=cast.county_b)
    new = Org.objects.get(pk=g.pk).path
    assert kept(old) == {} and kept(new) == {"职工活动支出-职工教育": Decimal("300.00")}
    assert totals.drift(connection) == []
    Voucher.objects.filter(org=g).delete()
    assert kept(new) == {} and totals.drift(connection) == []


def test_rebuild_agrees_with_the_triggers_and_a_truncate_empties(cast):
    expense(cast.grassroots_officer, cast.grassroots_a, "10", account="50101")
    expense(cast.officer_b, cast.grassroots_b, "20", account="50101")
    before = kept(cast.grassroots_a.path), kept(cast.grassroots_b.path)
    totals.rebuild(connection)
    assert (kept(cast.grassroots_a.path), kept(cast.grassroots_b.path)) == before
    VoucherLine.objects.filter(org_path=cast.grassroots_b.path).update(debit=Decimal("0"), credit=Decimal("0"))
    assert kept(cast.grassroots_b.path) == {} and totals.drift(connection) == []
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending key checks: TRUNCATE refuses them
        cur.execute(f"TRUNCATE {VoucherLine._meta.db_table} CASCADE")
        cur.execute(f"SELECT count(*) FROM {totals.TABLE}")
        assert cur.fetchone()[0] == 0
