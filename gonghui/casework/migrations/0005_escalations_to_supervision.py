"""The escalations of cases move to the shared supervision list: each escalation ``CaseAlert`` becomes a
``core.SupervisionItem`` of kind "case" (same told unit, key, due date, time, and 督办 note), so the history is kept;
the reminders stay ``CaseAlert`` rows. An item of a case no longer red is marked resolved."""

from django.db import migrations
from django.utils import timezone

STEPLEN = 4


def forward(apps, schema_editor):
    CaseAlert = apps.get_model("casework", "CaseAlert")
    Item = apps.get_model("core", "SupervisionItem")
    now = timezone.now()
    rows = (CaseAlert.objects.filter(kind="escalation").select_related("case", "case__holder_org")
            .order_by("pk").iterator(chunk_size=2000))
    batch = []
    for a in rows:
        case = a.case
        batch.append(Item(
            kind="case", object_id=case.pk, key=a.key, title=f"{case.code}　{case.subject}"[:200],
            url=f"/cases/{case.code}/", holder_org_id=case.holder_org_id, holder_path=case.holder_org.path,
            told_org_id=a.org_id, told_path=a.org_path, due_on=a.due_on, raised_at=a.created_at,
            handled_at=a.handled_at, handled_by_id=a.handled_by_id, handled_note=a.handled_note,
            resolved_at=None if case.color == "red" else (case.closed_at or now)))
        if len(batch) >= 2000:
            Item.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Item.objects.bulk_create(batch, ignore_conflicts=True)
    CaseAlert.objects.filter(kind="escalation").delete()


def backward(apps, schema_editor):
    CaseAlert = apps.get_model("casework", "CaseAlert")
    Item = apps.get_model("core", "SupervisionItem")
    Case = apps.get_model("casework", "Case")
    known = set(Case.objects.values_list("pk", flat=True))
    CaseAlert.objects.bulk_create([
        CaseAlert(case_id=i.object_id, kind="escalation", key=i.key, org_id=i.told_org_id, org_path=i.told_path,
                  due_on=i.due_on, created_at=i.raised_at, handled_at=i.handled_at, handled_by_id=i.handled_by_id,
                  handled_note=i.handled_note)
        for i in Item.objects.filter(kind="case", due_on__isnull=False).iterator() if i.object_id in known],
        ignore_conflicts=True)
    Item.objects.filter(kind="case").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0004_case_id_number_and_possible_repeat"),
        ("core", "0011_supervision"),
    ]

    operations = [migrations.RunPython(forward, backward)]
