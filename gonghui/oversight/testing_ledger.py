"""Test helpers of the ledger: final problems built directly with the problem model's fields (the ledger does not
depend on the problems part's services), and evidence files."""

import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.core.access import actor_for
from gonghui.core.attachments import services as attachments

from .lists import lists_seed_defaults
from .models import Category, Problem, Source, Stage

_numbers = itertools.count(1)


def final_problem(org, title: str = "职工之家阵地闲置", *, source_key: str = "", category_index: int = 0) -> Problem:
    lists_seed_defaults()  # a transactional test's flush empties the lists the migration wrote
    source = (Source.objects.filter(key=source_key).first() if source_key else None) or Source.objects.first()
    category = Category.objects.all()[category_index]
    n = next(_numbers)
    return Problem.objects.create(org=org, org_path=org.path, number=f"ZG-L{n:05d}", year=2026, source=source,
                                  category=category, title=title, stage=Stage.FINAL,
                                  finalized_at=timezone.now())


def pdf_bytes() -> bytes:
    return (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def attach_evidence(user, measure, name: str = "整改佐证.pdf"):
    return attachments.attachment_upload(actor=actor_for(user), kind="oversight.measure", object_id=str(measure.pk),
                                         upload=SimpleUploadedFile(name, pdf_bytes(),
                                                                   content_type="application/pdf"))
