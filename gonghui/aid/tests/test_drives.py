"""Donation drives: totals kept as units and donations come in, receipts unique, closing freezes, scope."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from gonghui.aid import drives
from gonghui.aid.models import Donation, DriveState, DriveUnit
from gonghui.aid.testing_drives import make_drive, member
from gonghui.core.access import actor_for


def test_totals_follow_units_corrections_and_named_donations(cast):
    drive = make_drive(cast)
    county, unit = actor_for(cast.officer_a), actor_for(cast.grassroots_officer)
    drives.unit_record(actor=unit, drive=drive, org=cast.grassroots_a, donors=120, amount="6000", receipt_no="R-001")
    drives.unit_record(actor=county, drive=drive, org=cast.township_a, donors=15, amount="1500.50",
                       receipt_no="R-002")
    # a correction replaces the lump: the totals move by the difference only
    row = drives.unit_record(actor=unit, drive=drive, org=cast.grassroots_a, donors=118, amount="5900",
                             receipt_no="R-001")
    assert (row.donors, row.amount) == (118, Decimal("5900.00"))
    person = member(cast)
    drives.donation_add(actor=unit, drive=drive, org=cast.grassroots_a, person=person, amount="200")
    drives.donation_add(actor=unit, drive=drive, org=cast.grassroots_a, donor_name="王大爷", amount="50")
    # a named donation through a unit with nothing recorded yet makes its row
    drives.donation_add(actor=unit, drive=drive, org=cast.branch_a, donor_name="赵师傅", amount="30")
    drive.refresh_from_db()
    assert (drive.units, drive.donors, drive.total) == (3, 118 + 15 + 3, Decimal("7680.50"))
    ga = DriveUnit.objects.get(drive=drive, org=cast.grassroots_a)
    assert (ga.lump_donors, ga.donors, ga.amount) == (118, 120, Decimal("6150.00"))
    # the hand count agrees with the kept totals
    rows = DriveUnit.objects.filter(drive=drive)
    assert sum(r.amount for r in rows) == drive.total and sum(r.donors for r in rows) == drive.donors
    assert sorted(d.donor_name for d in Donation.objects.filter(person__isnull=True)) == ["王大爷", "赵师傅"]


def test_receipt_unique_per_drive_also_in_the_database(cast):
    drive, other = make_drive(cast), make_drive(cast, name="第二次捐款")
    unit = actor_for(cast.grassroots_officer)
    drives.unit_record(actor=unit, drive=drive, org=cast.grassroots_a, donors=1, amount="10", receipt_no="R-9")
    with pytest.raises(ValidationError) as exc:
        drives.unit_record(actor=unit, drive=drive, org=cast.branch_a, donors=1, amount="10", receipt_no="R-9")
    assert "R-9" in exc.value.message_dict["receipt_no"][0]
    drives.unit_record(actor=unit, drive=other, org=cast.branch_a, donors=1, amount="10", receipt_no="R-9")
    with pytest.raises(IntegrityError), transaction.atomic():
        DriveUnit.objects.create(drive=drive, org=cast.branch_a, org_path=cast.branch_a.path, day=drive.day,
                                 receipt_no="R-9")
    drive.refresh_from_db()
    assert (drive.units, drive.total) == (1, Decimal("10.00"))


def test_closing_freezes_the_drive(cast):
    drive = make_drive(cast)
    unit = actor_for(cast.grassroots_officer)
    drives.unit_record(actor=unit, drive=drive, org=cast.grassroots_a, donors=2, amount="20")
    with pytest.raises(Http404):
        drives.drive_close(actor=unit, drive=drive)  # the unit is not the organiser
    drive = drives.drive_close(actor=actor_for(cast.officer_a), drive=drive)
    assert drive.state == DriveState.CLOSED
    with pytest.raises(ValidationError):
        drives.unit_record(actor=unit, drive=drive, org=cast.grassroots_a, donors=3, amount="30")
    with pytest.raises(ValidationError):
        drives.donation_add(actor=unit, drive=drive, org=cast.grassroots_a, donor_name="王某", amount="5")
    with pytest.raises(ValidationError):
        drives.drive_close(actor=actor_for(cast.officer_a), drive=drive)
    drive.refresh_from_db()
    assert (drive.donors, drive.total) == (2, Decimal("20.00"))


def test_bad_input_is_refused_in_chinese_naming_the_field(cast):
    drive = make_drive(cast)
    unit = actor_for(cast.grassroots_officer)
    for kw, field in (({"donors": "x", "amount": "1"}, "donors"), ({"donors": 1, "amount": "-5"}, "amount"),
                      ({"donors": 0, "amount": "5"}, "donors"), ({"donors": 3, "amount": "0"}, "amount"),
                      ({"donors": 1, "amount": "abc"}, "amount")):
        with pytest.raises(ValidationError) as exc:
            drives.unit_record(actor=unit, drive=drive, org=cast.grassroots_a, **kw)
        assert field in exc.value.message_dict, kw
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message_dict[field][0])
    with pytest.raises(ValidationError) as exc:
        drives.donation_add(actor=unit, drive=drive, org=cast.grassroots_a, amount="10")
    assert "donor_name" in exc.value.message_dict
    stranger = member(cast, "外单位人", org=cast.grassroots_b)
    with pytest.raises(ValidationError) as exc:
        drives.donation_add(actor=unit, drive=drive, org=cast.grassroots_a, person=stranger, amount="10")
    assert "person" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        drives.drive_create(actor=unit, org=cast.grassroots_a, name="", day=drive.day)
    assert "name" in exc.value.message_dict
    assert not DriveUnit.objects.exists() and not Donation.objects.exists()


def test_other_county_grassroots_and_anonymous_refused(cast):
    from gonghui.core.access import ANONYMOUS

    drive = make_drive(cast)
    with pytest.raises(Http404):
        drives.unit_record(actor=actor_for(cast.officer_b), drive=drive, org=cast.grassroots_a, donors=1, amount=1)
    # a county B unit is not under the organiser
    with pytest.raises(ValidationError):
        drives.unit_record(actor=actor_for(cast.officer_b), drive=drive, org=cast.grassroots_b, donors=1, amount=1)
    # the grassroots officer records its own unit, never another one
    with pytest.raises(Http404):
        drives.unit_record(actor=actor_for(cast.grassroots_officer), drive=drive, org=cast.township_a, donors=1,
                           amount=1)
    with pytest.raises(PermissionDenied):
        drives.unit_record(actor=ANONYMOUS, drive=drive, org=cast.grassroots_a, donors=1, amount=1)
    with pytest.raises(PermissionDenied):
        drives.unit_record(actor=actor_for(cast.auditor_a), drive=drive, org=cast.grassroots_a, donors=1, amount=1)
    assert not DriveUnit.objects.exists()
