"""Annual audits and their findings, the audit figures, and the central purchasing supplier list."""

import datetime
import io

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gonghui.core.access import actor_for
from gonghui.core.figures import Period, compute
from gonghui.core.models import AuditEvent
from gonghui.funds import audits
from gonghui.funds.models import Audit, AuditFinding, Supplier
from gonghui.orgs.models import Org
from gonghui.testing import _org

pytestmark = pytest.mark.django_db

D = datetime.date


def _audit(cast, org=None, year=2025, user=None, **kw):
    data = {"auditor": "东湖区总工会经审会", "started_on": D(2026, 3, 1), "ended_on": D(2026, 3, 10),
            "vouchers_checked": 120, "conclusion": "账目基本清楚", **kw}
    return audits.audit_record(actor=actor_for(user or cast.auditor_a), org=org or cast.grassroots_a, year=year,
                               **data)


def test_an_audit_is_recorded_once_a_year(cast):
    record = _audit(cast)
    assert (record.year, record.vouchers_checked, record.org_path) == (2025, 120, cast.grassroots_a.path)
    assert AuditEvent.objects.get(action="funds.audit_record").details == {"union": "GA", "year": 2025,
                                                                           "vouchers": 120}
    with pytest.raises(ValidationError, match="已有2025年度经审"):
        _audit(cast)


@pytest.mark.parametrize("kw, message", [
    ({"auditor": " "}, "审计单位"),
    ({"conclusion": ""}, "审计结论"),
    ({"ended_on": D(2026, 2, 1)}, "早于开始日期"),
    ({"vouchers_checked": -1}, "不能为负数"),
    ({"started_on": D(2024, 12, 1)}, "开始之后"),
])
def test_a_bad_audit_is_refused(cast, kw, message):
    with pytest.raises(ValidationError, match=message):
        _audit(cast, **kw)
    assert not Audit.objects.exists()


def test_audits_are_recorded_by_reviewers_in_scope(cast):
    with pytest.raises(PermissionDenied):  # a union officer does not audit
        _audit(cast, user=cast.grassroots_officer)
    with pytest.raises(Http404):
        _audit(cast, user=cast.officer_b)


def test_a_finding_is_tracked_to_rectification(cast):
    record = _audit(cast)
    finding = audits.finding_add(actor=actor_for(cast.auditor_a), audit_=record, text="部分报销缺少发票",
                                 due_on=D(2026, 6, 30))
    assert finding.state == "open" and finding.org_path == cast.grassroots_a.path
    union = actor_for(cast.grassroots_officer)
    finding = audits.finding_progress(actor=union, finding=finding, state="rectifying", note="补充票据中")
    assert finding.state == "rectifying" and finding.rectified_on is None
    with pytest.raises(ValidationError, match="说明整改情况"):
        audits.finding_progress(actor=union, finding=finding, state="rectified", note="")
    finding = audits.finding_progress(actor=union, finding=finding, state="rectified", note="已补齐发票",
                                      on=D(2026, 4, 2))
    assert (finding.state, finding.note, finding.rectified_on) == ("rectified", "已补齐发票", D(2026, 4, 2))
    with pytest.raises(ValidationError, match="不能改为"):
        audits.finding_progress(actor=union, finding=finding, state="rectifying")
    with pytest.raises(Http404):
        audits.finding_progress(actor=actor_for(cast.officer_b), finding=finding, state="rectified", note="x")
    assert AuditEvent.objects.filter(action="funds.finding_progress").count() == 2


def test_a_finding_needs_text_and_a_date(cast):
    record = _audit(cast)
    with pytest.raises(ValidationError, match="描述审计发现"):
        audits.finding_add(actor=actor_for(cast.auditor_a), audit_=record, text=" ", due_on=D(2026, 6, 1))
    with pytest.raises(ValidationError, match="晚于审计开始日期"):
        audits.finding_add(actor=actor_for(cast.auditor_a), audit_=record, text="x", due_on=D(2025, 6, 1))
    with pytest.raises(PermissionDenied):
        audits.finding_add(actor=actor_for(cast.grassroots_officer), audit_=record, text="x", due_on=D(2026, 6, 1))
    assert not AuditFinding.objects.exists()


def test_audit_figures_by_hand(cast):
    # County A's subtree has two active grassroots unions (GA and GA2) and a dissolved one; county B has GB.
    ga2 = _org(cast.township_a, "GA2", "东湖纺织厂工会", "grassroots", "enterprise")
    gone = _org(cast.township_a, "GA3", "已撤销工会", "grassroots", "enterprise")
    Org.objects.filter(pk=gone.pk).update(status="dissolved", dissolved_on=D(2026, 1, 1))
    _audit(cast, vouchers_checked=120)  # GA for 2025, ended 2026-03-10
    _audit(cast, org=gone, vouchers_checked=40)  # a dissolved union's audit is not coverage
    _audit(cast, org=cast.grassroots_b, user=cast.officer_b, vouchers_checked=75, ended_on=D(2026, 4, 20),
           started_on=D(2026, 4, 1))
    _audit(cast, org=ga2, year=2024, vouchers_checked=30, started_on=D(2025, 2, 1), ended_on=D(2025, 2, 5))
    actor = actor_for(cast.city_staff)

    def value(org, key, fig):
        (fv,) = compute(org, Period.parse(key), actor=actor, keys=[fig])
        return fv.value

    assert str(value(cast.county_a, "2025", "funds.audit_coverage")) == "50.0"  # GA of GA, GA2
    assert str(value(cast.city, "2025", "funds.audit_coverage")) == "66.7"  # GA and GB of GA, GA2, GB
    assert str(value(cast.county_a, "2024", "funds.audit_coverage")) == "50.0"  # GA2
    assert str(value(cast.county_b, "2026", "funds.audit_coverage")) == "0.0"  # GB has no audit of 2026
    assert str(value(cast.grassroots_a, "2025", "funds.audit_coverage")) == "100.0"  # GA is its own subtree
    assert value(cast.branch_a, "2025", "funds.audit_coverage") is None  # no grassroots union at a branch
    assert value(cast.county_a, "2026", "funds.vouchers_checked") == 160  # GA 120 + GA3 40, ended in 2026
    assert value(cast.city, "2026Q1", "funds.vouchers_checked") == 160
    assert value(cast.city, "2026Q2", "funds.vouchers_checked") == 75
    assert value(cast.city, "2025", "funds.vouchers_checked") == 30


def _xlsx(rows) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            sheet.write(r, c, v)
    book.close()
    return out.getvalue()


def test_suppliers_are_added_deactivated_and_imported(cast):
    staff = actor_for(cast.officer_a)
    s = audits.supplier_add(actor=staff, org=cast.county_a, name="东湖办公用品公司")
    with pytest.raises(ValidationError, match="已在名录中"):
        audits.supplier_add(actor=staff, org=cast.county_a, name="东湖办公用品公司")
    audits.supplier_deactivate(actor=staff, supplier=s)
    assert not Supplier.objects.get(pk=s.pk).active
    data = _xlsx([["集中采购供应商名录"], ["供应商名称", "统一社会信用代码"], ["东湖办公用品公司", ""],
                  ["临江文具商行", ""], [" ", ""]])
    done = audits.supplier_import(actor=staff, org=cast.county_a, data=data, filename="名录.xlsx")
    assert done == {"added": 1, "restored": 1, "kept": 0}
    names = set(Supplier.objects.filter(active=True).values_list("name", flat=True))
    assert names == {"东湖办公用品公司", "临江文具商行"}


def test_a_bad_supplier_file_imports_nothing(cast):
    staff = actor_for(cast.officer_a)
    data = _xlsx([["供应商名称", "统一社会信用代码"], ["甲公司", ""], ["乙公司", "123"], ["甲公司", ""]])
    with pytest.raises(ValidationError) as exc:
        audits.supplier_import(actor=staff, org=cast.county_a, data=data, filename="名录.xlsx")
    messages = exc.value.messages
    assert len(messages) == 2
    assert messages[0].startswith("第3行：统一社会信用代码") and messages[1] == "第4行：甲公司在文件中重复出现。"
    assert not Supplier.objects.exists()
    with pytest.raises(ValidationError):
        audits.supplier_import(actor=staff, org=cast.county_a, data=b"", filename="x.xlsx")


def test_suppliers_are_kept_by_federation_staff_of_a_federation(cast):
    with pytest.raises(PermissionDenied):
        audits.supplier_add(actor=actor_for(cast.grassroots_officer), org=cast.grassroots_a, name="x")
    with pytest.raises(ValidationError, match="不是总工会"):
        audits.supplier_add(actor=actor_for(cast.officer_a), org=cast.grassroots_a, name="x")
    with pytest.raises(Http404):
        audits.supplier_add(actor=actor_for(cast.officer_b), org=cast.county_a, name="x")
    with pytest.raises(ValidationError, match="校验位"):
        audits.supplier_add(actor=actor_for(cast.officer_a), org=cast.county_a, name="x", uscc=_wrong_uscc())


def _wrong_uscc() -> str:
    from gonghui.core.identity import uscc_check_char

    body = "91330102MA2H2K5X3"
    return body + ("1" if uscc_check_char(body) != "1" else "2")
