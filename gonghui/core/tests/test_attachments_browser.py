"""A voucher's attachments page in a browser: attach an invoice, see it listed, download it; a disguised file is
refused with the file named."""

import pytest

import gonghui.funds.attachments_funds  # noqa: F401  (registers "funds.voucher", as FundsConfig.ready will)
from gonghui.browser import log_in
from gonghui.core.models import Attachment, AuditEvent
from gonghui.core.views_attachments import owner_page_url
from gonghui.funds.models import Voucher
from gonghui.funds.testing import expense
from gonghui.testing import PASSWORD, build_cast

from .test_attachments import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_attaches_an_invoice_to_a_voucher_and_downloads_it(page, tmp_path):
    cast = build_cast()
    voucher = expense(cast.grassroots_officer, cast.grassroots_a, "1130.00", summary="购办公用品")
    invoice = tmp_path / "增值税电子普通发票.pdf"
    invoice.write_bytes(pdf_bytes())
    disguised = tmp_path / "收据.png"
    disguised.write_bytes(b"<html><body><script>alert(1)</script></body></html>")

    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + owner_page_url("funds.voucher", voucher.pk))
    page.wait_for_selector("#attachments-empty")
    assert "记-0001" in page.locator("h1").inner_text()
    page.set_input_files("#attachment-file", str(invoice))
    page.fill("#attachment-note", "原件已交财务")
    page.click("#attachment-upload button[type=submit]")
    page.wait_for_selector("#attachments-list")
    row = page.locator("#attachments-list tbody tr")
    assert row.count() == 1
    assert "增值税电子普通发票.pdf" in row.inner_text() and "原件已交财务" in row.inner_text()
    assert page.locator("#attachments-count").inner_text() == "1"
    assert Voucher.objects.get(pk=voucher.pk).attachment_count == 1

    with page.expect_download() as caught:
        page.click("#attachments-list a.gh-attachment-link")
    download = caught.value
    assert download.suggested_filename == "增值税电子普通发票.pdf"
    assert open(download.path(), "rb").read() == pdf_bytes()
    assert AuditEvent.objects.filter(action="attachment.download").count() == 1

    page.set_input_files("#attachment-file", str(disguised))
    page.click("#attachment-upload button[type=submit]")
    refusal = page.locator(".alert-danger", has_text="收据.png")
    refusal.wait_for()
    assert "“收据.png”未被接收" in refusal.inner_text()
    assert Attachment.objects.count() == 1
