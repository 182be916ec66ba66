"""Attachments: the type is judged from the bytes (each allowed type passes, each hostile file is refused with a
Chinese message naming it), and the services store, count, scope, delete and audit."""

import io
import os
import stat
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import translation

import gonghui.funds.attachments_funds  # noqa: F401  (registers "funds.voucher", as FundsConfig.ready will)
from gonghui.core.access import actor_for
from gonghui.core.attachments import content, register_owner, services
from gonghui.core.models import Attachment, AttachmentType, AuditEvent, Role
from gonghui.funds.models import Voucher
from gonghui.funds.testing import expense
from gonghui.testing import _user

# --- sample files -------------------------------------------------------------------------------------------


def pdf_bytes(body: bytes = b"") -> bytes:
    return (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + body
            + b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b""))


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def jpeg_bytes() -> bytes:
    """A baseline JPEG's segments as a camera writes them, up to the scan data and the end marker."""
    return (b"\xff\xd8" + _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
            + _segment(0xDB, b"\x00" + bytes(range(1, 65)))
            + _segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
            + _segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")
            + _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x12\x34\x56" + b"\xff\xd9")


OFD_XML = (b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" '
           b'DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>a1b2</ofd:DocID></ofd:DocInfo>'
           b'<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')


def ofd_bytes(extra: dict | None = None, main: bytes = OFD_XML) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", main)
        z.writestr("Doc_0/Document.xml", '<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"/>')
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


XML_INVOICE = ('<?xml version="1.0" encoding="UTF-8"?><EInvoice><Header><EIid>25442000000123456789</EIid>'
               '</Header><EInvoiceData><SellerInformation><SellerName>某某文具有限公司</SellerName>'
               '</SellerInformation><BasicInformation><TotalTax-includedAmount>1130.00</TotalTax-includedAmount>'
               '</BasicInformation></EInvoiceData></EInvoice>').encode()

ALLOWED = [
    ("发票.pdf", pdf_bytes(), AttachmentType.PDF),
    ("电子发票.ofd", ofd_bytes(), AttachmentType.OFD),
    ("收据.jpg", jpeg_bytes(), AttachmentType.JPEG),
    ("会议纪要.png", png_bytes(), AttachmentType.PNG),
    ("数电发票.xml", XML_INVOICE, AttachmentType.XML),
]

BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
                  b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><EInvoice>&lol3;</EInvoice>')
XXE = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><EInvoice>&x;</EInvoice>'


def ofd_bomb() -> bytes:
    return ofd_bytes({"Doc_0/Res/image.bin": b"\x00" * (16 * 1024 * 1024)})


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document xmlns:w='urn:w'/>")
    return buf.getvalue()


HOSTILE = [
    ("renamed HTML", "发票.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
    ("SVG with a script", "收据.png",
     b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'),
    ("HTML then a PDF (polyglot)", "发票.pdf", b"<html><script>alert(1)</script></html>\n" + pdf_bytes()),
    ("a PDF header then HTML", "发票.pdf", pdf_bytes(b"<html><script>alert(1)</script></html>\n")),
    ("a PNG carrying HTML after its end", "图.png", png_bytes() + b"<html><script>alert(1)</script></html>"),
    ("XHTML named .xml", "发票.xml",
     b'<html xmlns="http://www.w3.org/1999/xhtml"><body><script>alert(1)</script></body></html>'),
    ("an XML with an external entity", "发票.xml", XXE),
    ("billion laughs", "发票.xml", BILLION_LAUGHS),
    ("an XML stylesheet instruction", "发票.xml",
     b'<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="x.xsl"?><EInvoice/>'),
    ("an OFD zip bomb", "电子发票.ofd", ofd_bomb()),
    ("a zip that is no OFD (a docx)", "电子发票.ofd", _docx()),
    ("a truncated PDF", "发票.pdf", pdf_bytes()[:-20]),
    ("a JPEG cut short", "收据.jpg", jpeg_bytes()[:-2]),
    ("a JPEG carrying HTML after its end", "收据.jpg", jpeg_bytes() + b"<html><script>alert(1)</script></html>"),
    ("a PNG with a bad checksum", "图.png", png_bytes()[:-5] + b"\x00\x00\x00\x00\x00"),
    ("a script", "发票.pdf", b"#!/bin/sh\nrm -rf /\n"),
    ("an executable", "发票.jpg", b"MZ\x90\x00" + b"\x00" * 100),
    ("empty", "发票.pdf", b""),
]


@pytest.mark.parametrize(("name", "data", "expected"), ALLOWED, ids=[a[0] for a in ALLOWED])
def test_each_allowed_type_is_recognised_from_its_bytes(name, data, expected):
    assert content.detect(name, data) == expected
    # The name does not decide: the same bytes under another name are the same type.
    assert content.detect("scan.bin", data) == expected


@pytest.mark.parametrize(("why", "name", "data"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_each_hostile_file_is_refused_with_a_chinese_message_naming_it(why, name, data):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        content.detect(name, data)
    message = " ".join(caught.value.messages)
    assert name in message, message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message.replace(name, "")), message


def test_a_phone_photo_with_the_makers_trailer_after_the_image_passes():
    assert content.detect("收据.jpg", jpeg_bytes() + b"\x00\x00SEFH\x01\x00\x00\x00" * 4) == AttachmentType.JPEG


def test_a_file_over_the_limit_is_refused_before_it_is_parsed(settings):
    settings.GONGHUI_ATTACHMENT_MAX_BYTES = 1000
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="超过 1000") as caught:
        content.detect("大文件.pdf", pdf_bytes(b"%" + b"x" * 2000 + b"\n"))
    assert "大文件.pdf" in caught.value.messages[0]
    assert content.detect("小文件.pdf", pdf_bytes()) == AttachmentType.PDF


def test_a_lying_zip_entry_is_refused():
    """An entry whose directory size is smaller than what it inflates to fails its CRC when read."""
    data = bytearray(ofd_bytes({"Doc_0/Res/a.bin": b"A" * 5000}))
    # Corrupt the stored bytes of the last entry's data: its CRC no longer matches.
    at = bytes(data).rfind(b"Doc_0/Res/a.bin", 0, bytes(data).find(b"PK\x01\x02")) + len("Doc_0/Res/a.bin") + 2
    data[at] ^= 0xFF
    with pytest.raises(ValidationError):
        content.detect("电子发票.ofd", bytes(data))


# --- services -----------------------------------------------------------------------------------------------


@pytest.fixture
def voucher(cast):
    return expense(cast.grassroots_officer, cast.grassroots_a, "1130.00", summary="购办公用品")


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")  # the browser's word is ignored


def attach(user, voucher, name="发票.pdf", data=None, note=""):
    return services.attachment_upload(actor=actor_for(user), kind="funds.voucher", object_id=str(voucher.pk),
                                      upload=upload(name, data if data is not None else pdf_bytes()), note=note)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "expected"), ALLOWED, ids=[a[0] for a in ALLOWED])
def test_upload_stores_a_private_file_under_a_random_name_counts_and_audits(cast, voucher, name, data, expected):
    a = attach(cast.grassroots_officer, voucher, name, data, note="原件已归档")
    a.refresh_from_db()
    assert (a.content_type, a.size, a.original_name, a.note) == (expected, len(data), name, "原件已归档")
    assert a.org_path == voucher.org_path and a.uploader_path == cast.grassroots_a.path
    stem = name.rpartition(".")[0]
    assert stem not in a.stored_name and name not in a.stored_name
    assert a.stored_name.startswith("funds.voucher/") and len(a.stored_name.rpartition("/")[2]) >= 32
    storage = services.attachment_storage()
    path = storage.path(a.stored_name)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    with storage.open(a.stored_name, "rb") as f:
        assert f.read() == data
    import hashlib

    assert a.sha256 == hashlib.sha256(data).hexdigest()
    assert Voucher.objects.get(pk=voucher.pk).attachment_count == 1
    event = AuditEvent.objects.get(action="attachment.upload")
    assert (event.object_type, event.object_id, event.scope_path) == ("attachment", a.uid, voucher.org_path)
    assert event.details["file"] == name and event.details["sha256"] == a.sha256


@pytest.mark.django_db
def test_a_hostile_upload_writes_nothing_but_a_refusal_event(cast, voucher):
    storage = services.attachment_storage()
    before = set(_files(storage))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        attach(cast.grassroots_officer, voucher, "发票.pdf", b"<html><script>alert(1)</script></html>")
    assert "发票.pdf" in " ".join(caught.value.messages)
    assert not Attachment.objects.exists() and Voucher.objects.get(pk=voucher.pk).attachment_count == 0
    assert set(_files(storage)) == before
    refusal = AuditEvent.objects.get(action="attachment.refuse")
    assert refusal.outcome == "denied" and refusal.details["file"] == "发票.pdf"


def _files(storage) -> list[str]:
    root = storage.location
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files] if os.path.isdir(root) else []


@pytest.mark.django_db
def test_the_per_owner_count_is_limited(cast, voucher, settings):
    settings.GONGHUI_ATTACHMENT_MAX_PER_OWNER = 2
    attach(cast.grassroots_officer, voucher)
    attach(cast.grassroots_officer, voucher, "第二张.pdf")
    with translation.override("zh-hans"), pytest.raises(ValidationError, match=r"第三张\.pdf") as caught:
        attach(cast.grassroots_officer, voucher, "第三张.pdf")
    assert "2" in caught.value.messages[0]
    assert Attachment.objects.count() == 2 and Voucher.objects.get(pk=voucher.pk).attachment_count == 2
    assert AuditEvent.objects.get(action="attachment.refuse").details["file"] == "第三张.pdf"


@pytest.mark.django_db
def test_a_file_name_with_a_path_and_control_characters_is_cleaned(cast, voucher):
    a = attach(cast.grassroots_officer, voucher, '../../etc/"发票"\r\n.pdf')
    assert a.original_name == "_发票_.pdf"
    assert ".." not in a.stored_name and "etc" not in a.stored_name
    assert services.download_name(a) == "_发票_.pdf"
    b = attach(cast.grassroots_officer, voucher, "扫描件.txt")  # a PDF whose name says otherwise
    assert services.download_name(b) == "扫描件.pdf"


@pytest.mark.django_db
def test_outside_the_scope_is_404_and_without_the_permission_refused(cast, voucher):
    grassroots_b = _user("grassroots_b", "乙厂工会主席", Role.UNION_OFFICER, cast.grassroots_b)
    for user in (cast.officer_b, grassroots_b):
        with pytest.raises(Http404):
            attach(user, voucher)
    ca_voucher = expense(cast.officer_a, cast.county_a, "50.00")
    with pytest.raises(Http404):  # the county's books are above the grassroots union's scope
        attach(cast.grassroots_officer, ca_voucher)
    with pytest.raises(PermissionDenied):  # the auditor sees the books but does not write them
        attach(cast.auditor_a, voucher)
    with pytest.raises(PermissionDenied):  # an administrator covers the city but never sees the books
        attach(cast.system_admin, voucher)
    with pytest.raises(Http404):
        services.attachment_upload(actor=actor_for(None), kind="funds.voucher", object_id=str(voucher.pk),
                                   upload=upload("a.pdf", pdf_bytes()))
    with pytest.raises(Http404):
        services.owner_for(actor=actor_for(cast.officer_a), kind="no.such", object_id="1")
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_download_is_scoped_and_every_download_is_audited(cast, voucher):
    a = attach(cast.grassroots_officer, voucher)
    for user in (cast.grassroots_officer, cast.officer_a, cast.auditor_a, cast.city_staff):
        _found, handle = services.attachment_open(actor=actor_for(user), uid=a.uid)
        with handle:
            assert handle.read() == pdf_bytes()
    assert AuditEvent.objects.filter(action="attachment.download", object_id=a.uid).count() == 4
    grassroots_b = _user("grassroots_b", "乙厂工会主席", Role.UNION_OFFICER, cast.grassroots_b)
    for user in (cast.officer_b, grassroots_b, None):
        with pytest.raises(Http404):
            services.attachment_open(actor=actor_for(user), uid=a.uid)
    assert AuditEvent.objects.filter(action="attachment.download", object_id=a.uid).count() == 4


@pytest.mark.django_db
def test_a_voucher_attachment_is_never_deleted(cast, voucher):
    a = attach(cast.grassroots_officer, voucher)
    for user in (cast.grassroots_officer, cast.officer_a):
        with pytest.raises(PermissionDenied):
            services.attachment_delete(actor=actor_for(user), uid=a.uid)
    assert Attachment.objects.filter(pk=a.pk).exists()
    assert services.attachment_storage().exists(a.stored_name)


@pytest.fixture
def deletable_kind(cast):
    """A second owner kind whose files may be removed: the vouchers again, under another name."""
    from gonghui.funds.attachments_funds import voucher_for_attachments

    kind = register_owner("test.paper", label="材料", resolve=voucher_for_attachments,
                          org_path=lambda v: v.org_path, may_attach=lambda actor, v: actor.can("funds.write"),
                          may_view=lambda actor, v: actor.can("funds.view"))
    yield kind
    from gonghui.core.attachments import registry

    registry._OWNERS.pop("test.paper", None)


@pytest.mark.django_db(transaction=True)
def test_a_deletion_is_for_the_uploaders_scope_and_removes_the_file_on_commit(cast, voucher, deletable_kind):
    a = services.attachment_upload(actor=actor_for(cast.grassroots_officer), kind="test.paper",
                                   object_id=str(voucher.pk), upload=upload("纪要.pdf", pdf_bytes()))
    b = services.attachment_upload(actor=actor_for(cast.officer_a), kind="test.paper",
                                   object_id=str(voucher.pk), upload=upload("批复.pdf", pdf_bytes()))
    with pytest.raises(PermissionDenied):  # the county's file: outside the grassroots officer's scope
        services.attachment_delete(actor=actor_for(cast.grassroots_officer), uid=b.uid)
    with pytest.raises(PermissionDenied):  # the auditor may see it but not remove it
        services.attachment_delete(actor=actor_for(cast.auditor_a), uid=a.uid)
    with pytest.raises(Http404):
        services.attachment_delete(actor=actor_for(cast.officer_b), uid=a.uid)
    services.attachment_delete(actor=actor_for(cast.grassroots_officer), uid=a.uid)
    services.attachment_delete(actor=actor_for(cast.officer_a), uid=b.uid)  # the county removes its own
    assert not Attachment.objects.exists()
    storage = services.attachment_storage()
    assert not storage.exists(a.stored_name) and not storage.exists(b.stored_name)
    assert AuditEvent.objects.filter(action="attachment.delete").count() == 2


def test_storage_switches_to_s3_when_its_variables_are_set(tmp_path):
    from config.settings.base import attachments_storage

    local = attachments_storage({}, tmp_path)
    assert local["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert local["OPTIONS"]["location"] == str(tmp_path / "attachments")
    assert (local["OPTIONS"]["file_permissions_mode"], local["OPTIONS"]["directory_permissions_mode"]) == (0o600,
                                                                                                           0o700)
    s3 = attachments_storage({"GONGHUI_ATTACHMENTS_S3_BUCKET": "gonghui-files",
                              "GONGHUI_ATTACHMENTS_S3_ENDPOINT_URL": "https://oss.example.internal",
                              "GONGHUI_ATTACHMENTS_S3_REGION": "cn-east-1",
                              "GONGHUI_ATTACHMENTS_S3_ACCESS_KEY": "AK", "GONGHUI_ATTACHMENTS_S3_SECRET_KEY": "SK",
                              "GONGHUI_ATTACHMENTS_S3_SSE": "AES256"}, tmp_path)
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    opts = s3["OPTIONS"]
    assert (opts["bucket_name"], opts["endpoint_url"], opts["region_name"]) == ("gonghui-files",
                                                                               "https://oss.example.internal",
                                                                               "cn-east-1")
    assert (opts["access_key"], opts["secret_key"], opts["default_acl"], opts["file_overwrite"]) == ("AK", "SK",
                                                                                                    "private", False)
    assert opts["location"] == "attachments"
    assert opts["object_parameters"] == {"ContentDisposition": "attachment", "ServerSideEncryption": "AES256"}
    # Without keys, the SDK's own chain (instance role, ~/.aws) is left to find them.
    bare = attachments_storage({"GONGHUI_ATTACHMENTS_S3_BUCKET": "b"}, tmp_path)["OPTIONS"]
    assert "access_key" not in bare and "endpoint_url" not in bare


def test_the_running_settings_have_a_private_attachments_store(settings):
    from django.core.files.storage import storages

    store = storages["attachments"]
    assert str(store.location) == str(settings.VAR_DIR / "attachments")
    assert (store.file_permissions_mode, store.directory_permissions_mode) == (0o600, 0o700)


def test_the_checks_catch_a_missing_store_and_a_missing_s3_library(settings, monkeypatch):
    import sys

    from gonghui.core.attachments.checks import check_attachments_storage

    assert check_attachments_storage() == []
    settings.STORAGES = {k: v for k, v in settings.STORAGES.items() if k != "attachments"}
    assert [e.id for e in check_attachments_storage()] == ["gonghui.E101"]
    settings.STORAGES = {**settings.STORAGES, "attachments": {"BACKEND": "storages.backends.s3.S3Storage"}}
    monkeypatch.setitem(sys.modules, "storages", None)  # not installed
    assert [e.id for e in check_attachments_storage()] == ["gonghui.E102"]


@pytest.mark.django_db
def test_the_audit_screen_shows_attachment_events_in_chinese_within_the_readers_scope(cast, voucher):
    from gonghui.core import audit_labels

    a = attach(cast.grassroots_officer, voucher, "增值税发票.pdf")
    event = AuditEvent.objects.get(action="attachment.upload")
    with translation.override("zh-hans"):
        assert audit_labels.action_label("attachment.upload") == "上传附件"
        rows = dict(audit_labels.detail_rows("attachment.upload", event.details))
        assert rows["文件名"] == "增值税发票.pdf" and rows["文件类型"] == "PDF 文档"
        assert rows["所属对象"].startswith("凭证 东湖机械厂工会 2026 记-0001")
        seen = audit_labels.resolve_objects(actor_for(cast.auditor_a), [("attachment", a.uid)])
        assert seen[("attachment", a.uid)].text == "凭证：增值税发票.pdf"
        hidden = audit_labels.resolve_objects(actor_for(cast.officer_b), [("attachment", a.uid)])
        assert "增值税发票" not in str(hidden.get(("attachment", a.uid), ""))


@pytest.mark.django_db
def test_a_moved_union_takes_its_files_scope_with_it(cast, voucher):
    from gonghui.orgs.services import org_move

    a = attach(cast.grassroots_officer, voucher)
    org_move(actor=actor_for(cast.city_staff), org=cast.grassroots_a, new_parent=cast.county_b)
    a.refresh_from_db()
    cast.grassroots_a.refresh_from_db()
    assert a.org_path.startswith(cast.county_b.path) and a.uploader_path == cast.grassroots_a.path
    Voucher.objects.filter(pk=voucher.pk).update(org_path=cast.grassroots_a.path)  # the funds part's own rewrite
    services.attachment_open(actor=actor_for(cast.officer_b), uid=a.uid)[1].close()
    with pytest.raises(Http404):
        services.attachment_open(actor=actor_for(cast.officer_a), uid=a.uid)
