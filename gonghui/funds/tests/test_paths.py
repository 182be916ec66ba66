"""Every org path copied onto a funds row follows its union when the subtree moves."""

import datetime

import pytest

from gonghui.core.access import actor_for
from gonghui.funds import signals
from gonghui.funds.models import Book, Decision, Voucher, VoucherLine
from gonghui.funds.testing import expense
from gonghui.orgs.models import Org
from gonghui.orgs.services import org_move

pytestmark = pytest.mark.django_db


def test_path_columns_are_the_org_paths_not_the_account_paths():
    columns = {(m.__name__, c) for m, c in signals.path_columns()}
    assert {("VoucherLine", "org_path"), ("Voucher", "org_path"), ("Book", "org_path"),
            ("FundReturn", "payer_path"), ("FundReturn", "union_path")} <= columns
    assert ("Account", "path") not in columns


def test_a_moved_union_takes_its_books_along(cast):
    expense(cast.grassroots_officer, cast.grassroots_a, "250")
    Decision.objects.create(org=cast.grassroots_a, org_path=cast.grassroots_a.path, kind="committee",
                            date=datetime.date(2026, 3, 1), reference="厂工〔2026〕1号", title="年度预算")
    org_move(actor=actor_for(cast.city_staff), org=cast.grassroots_a, new_parent=cast.county_b)
    moved = Org.objects.get(pk=cast.grassroots_a.pk)
    assert moved.path.startswith(cast.county_b.path)
    for model in (Book, Voucher, VoucherLine, Decision):
        assert set(model.objects.values_list("org_path", flat=True)) == {moved.path}, model


def test_every_org_path_column_sorts_bytewise_on_postgresql():
    """A subtree is an index range only under COLLATE "C"; a new path column needs its line in migration 0005."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite compares text bytewise already")
    with connection.cursor() as cur:
        for model, column in signals.path_columns():
            cur.execute("SELECT collation_name FROM information_schema.columns WHERE table_name = %s "
                        "AND column_name = %s", [model._meta.db_table, column])
            assert cur.fetchone() == ("C",), (model._meta.db_table, column)
