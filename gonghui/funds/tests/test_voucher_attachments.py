"""Invoices and receipts attached on the voucher page: kept with the voucher, counted, never removed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.models import Attachment
from gonghui.funds.models import Voucher
from gonghui.funds.testing import expense

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_an_invoice_is_attached_on_the_voucher_page(cast, login, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    voucher = expense(cast.grassroots_officer, cast.grassroots_a, "860", summary="春节慰问品")
    page = f"/funds/books/GA/2026/vouchers/{voucher.number}/"
    client = login(cast.grassroots_officer)
    html = client.get(page).content.decode()
    assert 'action="/attachments/upload/"' in html and f'name="id" value="{voucher.pk}"' in html
    resp = client.post("/attachments/upload/", {"kind": "funds.voucher", "id": str(voucher.pk), "next": page,
                                                "file": SimpleUploadedFile("发票.pdf", PDF, "application/pdf")})
    assert resp.status_code == 302 and resp["Location"] == page
    assert Voucher.objects.get(pk=voucher.pk).attachment_count == 1
    html = client.get(page).content.decode()
    assert "发票.pdf" in html and "/attachments/" in html
    assert Attachment.objects.get().org_path == cast.grassroots_a.path


def test_another_county_sees_no_attachment_and_cannot_add_one(cast, login):
    voucher = expense(cast.grassroots_officer, cast.grassroots_a, "860")
    client = login(cast.officer_b)
    assert client.get(f"/funds/books/GA/2026/vouchers/{voucher.number}/").status_code == 404
    resp = client.post("/attachments/upload/", {"kind": "funds.voucher", "id": str(voucher.pk),
                                                "file": SimpleUploadedFile("x.pdf", PDF, "application/pdf")})
    assert resp.status_code == 404 and not Attachment.objects.exists()
