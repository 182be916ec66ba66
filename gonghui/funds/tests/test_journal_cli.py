import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.funds.models import Account, Voucher

from .journal_files import YONYOU_HEADER, kingdee_csv, xlsx, yonyou_xlsx

pytestmark = pytest.mark.django_db


def cli(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("funds", "ledger", "import", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_import_and_dry_run_exit_0(cast, tmp_path):
    f = write(tmp_path, "j.xlsx", yonyou_xlsx())
    code, out, _err = cli(f, "--org", "GA", "--year", "2026", "--as", cast.grassroots_officer.username, "--dry-run")
    assert code == 0 and "3" in out and not Voucher.objects.exists()
    assert "职工活动支出-节日慰问-春节慰问" in out
    code, out, _err = cli(f, "--org", "ga", "--year", "2026", "--as", cast.grassroots_officer.username)
    assert code == 0 and Voucher.objects.count() == 3
    assert Account.objects.filter(org=cast.grassroots_a).count() == 1


def test_refused_rows_exit_1_and_write_the_report(cast, tmp_path):
    rows = [YONYOU_HEADER, ["2026-04-01", "记-1", "x", "", "业务支出-培训", 10, "", "", "", "", "", ""],
            ["2026-04-01", "记-1", "x", "", "银行存款", "", 9, "", "", "", "", ""]]
    f = write(tmp_path, "bad.xlsx", xlsx({"凭证": rows}))
    report = tmp_path / "report.xlsx"
    code, _out, err = cli(f, "--org", "GA", "--year", "2026", "--as", cast.grassroots_officer.username,
                          "--report", str(report))
    assert code == 1 and "记-0001" in err and report.stat().st_size > 0
    assert not Voucher.objects.exists()


@pytest.mark.parametrize("case", ["unreadable", "no_header", "missing_column", "unknown_user", "out_of_scope",
                                  "no_permission", "no_user"])
def test_exit_2(cast, tmp_path, case):
    user = cast.grassroots_officer.username
    f = write(tmp_path, "j.csv", kingdee_csv())
    org = "GA"
    if case == "unreadable":
        f = write(tmp_path, "x.xlsx", b"\x00garbage" * 100)
    elif case == "no_header":
        f = write(tmp_path, "x.csv", b"a,b,c\n1,2,3\n")
    elif case == "missing_column":
        f = write(tmp_path, "x.csv", "日期,凭证号,摘要,科目,借方\n2026-01-01,1,x,银行存款,1\n".encode())
    elif case == "unknown_user":
        user = "nobody-here"
    elif case == "out_of_scope":
        org = "GB"
    elif case == "no_permission":
        user = cast.auditor_a.username
    args = [f, "--org", org, "--year", "2026"]
    if case != "no_user":
        args += ["--as", user]
    code, _out, _err = cli(*args)
    assert code == 2
    assert not Voucher.objects.exists()


def test_federation_staff_import_any_union_in_scope(cast, tmp_path):
    f = write(tmp_path, "k.csv", kingdee_csv())
    assert cli(f, "--org", "GB", "--year", "2026", "--as", cast.city_staff.username)[0] == 0
    assert Voucher.objects.filter(org__code="GB").count() == 2
    assert cli(f, "--org", "GA", "--year", "2026", "--as", cast.officer_b.username)[0] == 2
