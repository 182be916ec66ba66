"""Every export is named in Chinese with the unit and the day, with an RFC 5987 header and a named sheet."""

import datetime
import io
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gonghui.core.spreadsheets import content_disposition, export_filename, sheet_name

pytestmark = pytest.mark.django_db


def _filename(response) -> str:
    header = response["Content-Disposition"]
    assert header.startswith("attachment; ") and re.search(r'filename="[ -~]+"', header)  # an ASCII fallback
    return unquote(re.search(r"filename\*=UTF-8''(\S+)", header)[1])


def _sheets(response) -> list[str]:
    return CalamineWorkbook.from_filelike(io.BytesIO(response.content)).sheet_names


def test_names_carry_title_unit_and_day_and_drop_characters_files_cannot_hold():
    day = datetime.date(2026, 12, 4)
    name = export_filename("会员名册", unit="临江市第一中学工会", on=day)
    assert name == "会员名册-临江市第一中学工会-2026-12-04.xlsx"
    name = export_filename("导入问题报告", unit="A/B:工会", extra="名册", on=day)
    assert name == "导入问题报告-A_B_工会-名册-2026-12-04.xlsx"
    assert sheet_name("诉求台账：[待受理]") == "诉求台账：_待受理_" and len(sheet_name("长" * 40)) == 31
    header = content_disposition("会员名册-东湖机械厂工会-2026-12-04.xlsx")
    assert header == ("attachment; filename=\"export-2026-12-04.xlsx\"; filename*=UTF-8''"
                      "%E4%BC%9A%E5%91%98%E5%90%8D%E5%86%8C-%E4%B8%9C%E6%B9%96%E6%9C%BA%E6%A2%B0%E5%8E%82%E5%B7%A5"
                      "%E4%BC%9A-2026-12-04.xlsx")
    assert content_disposition('a"b.xlsx') == 'attachment; filename="a-b.xlsx"; filename*=UTF-8\'\'a%22b.xlsx'


def test_the_member_roster_export_is_named_after_the_union_filtered(cast, login):
    client = login(cast.officer_a)
    today = timezone.localdate().isoformat()
    resp = client.get(reverse("members:list"), {"export": "xlsx"})
    assert _filename(resp) == f"会员名册-东湖区总工会-{today}.xlsx" and _sheets(resp) == ["会员名册"]
    resp = client.get(reverse("members:list"), {"export": "xlsx", "union": "GA-B"})
    assert _filename(resp) == f"会员名册-一车间分会-{today}.xlsx"


def test_other_list_exports_use_their_title(cast, login):
    client = login(cast.officer_a)
    today = timezone.localdate().isoformat()
    resp = client.get(reverse("orgs:list"), {"export": "xlsx"})
    assert _filename(resp) == f"工会名册-东湖区总工会-{today}.xlsx" and _sheets(resp) == ["工会名册"]
    resp = client.get(reverse("casework:inbox"), {"export": "xlsx", "org": "CA1"})
    assert _filename(resp).startswith("诉求台账（") and _filename(resp).endswith(f"-城关街道总工会-{today}.xlsx")
    resp = client.get(reverse("members:cards"), {"export": "xlsx"})
    assert _filename(resp) == f"会员服务卡-东湖区总工会-{today}.xlsx"


def test_a_refused_filter_never_widens_an_export(cast, login):
    from gonghui.core.models import AuditEvent

    client = login(cast.officer_a)
    before = AuditEvent.objects.filter(action="export").count()
    for url in (reverse("members:list"), reverse("casework:inbox")):
        field = "union" if "members" in url else "org"
        resp = client.get(url, {"export": "xlsx", field: "GB"})
        assert resp.status_code == 302 and "export" not in resp["Location"] and "GB" in resp["Location"]
        assert "未找到该单位" in client.get(resp["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="export").count() == before
