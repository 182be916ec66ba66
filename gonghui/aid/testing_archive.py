"""Test helpers of the hardship archive: valid resident ID numbers, a 低保 standard, a household at a given stage,
evidence files. Used by the tests, the scope walk and the demo."""

import datetime
import itertools
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.access import actor_for
from gonghui.core.attachments import services as attachments
from gonghui.core.identity import id_check_char

from . import archive
from .models import LivingStandard

_seq = itertools.count(1)


def id_number(n: int | None = None, *, region: str = "330102", birth: str = "19800101") -> str:
    first17 = f"{region}{birth}{(n if n is not None else next(_seq)) % 1000:03d}"
    return first17 + id_check_char(first17)


def pdf_bytes() -> bytes:
    return (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def standard(org, year: int, monthly="1000.00") -> LivingStandard:
    """A 低保 standard for ``org``'s subtree (set directly: tests of other things need one)."""
    row, _ = LivingStandard.objects.update_or_create(org=org, year=year, defaults={"monthly": Decimal(monthly)})
    return row


def attach_evidence(user, household, name: str = "收入证明.pdf"):
    return attachments.attachment_upload(actor=actor_for(user), kind="aid.household", object_id=str(household.pk),
                                         upload=SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf"))


def new_household(user, org, *, name: str = "张小三", income="800", members=(("李四", "spouse", "0"),),
                  causes=("illness",), illness_cost="0", number: str | None = None, **extra):
    return archive.household_create(
        actor=actor_for(user), org=org, name=name, id_number=number or id_number(), worker_income=income,
        causes=list(causes), illness_cost=illness_cost,
        members=[archive.MemberInput(name=n, relationship=r, monthly_income=i) for n, r, i in members], **extra)


def applied_household(maker, org, **kw):
    h = new_household(maker, org, **kw)
    attach_evidence(maker, h)
    return archive.household_apply(actor=actor_for(maker), household=h)


def notice_household(maker, reviewer, org, **kw):
    h = applied_household(maker, org, **kw)
    return archive.household_review(actor=actor_for(reviewer), household=h, approve=True)


def filed_household(maker, reviewer, org, *, day: datetime.date | None = None, **kw):
    """Through the notice and filed by the tick the day after the notice ends."""
    h = notice_household(maker, reviewer, org, **kw)
    archive.archive_tick(day=day or h.notice_until + datetime.timedelta(days=1))
    h.refresh_from_db()
    return h
