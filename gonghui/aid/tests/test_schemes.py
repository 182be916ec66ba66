"""Recuperation and check-up schemes: quotas down the tree never exceeded (also by the database), one nomination per
person, maker-checker, trips and attendance, the subsidy due."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from gonghui.aid import schemes
from gonghui.aid.models import Nomination, NominationGroup, NominationState, Quota, SchemeKind
from gonghui.aid.testing_drives import give_down, make_scheme, member
from gonghui.core.access import actor_for


def _nominate(cast, scheme, person, group=NominationGroup.FRONTLINE, org=None):
    return schemes.nomination_create(actor=actor_for(cast.grassroots_officer), scheme=scheme,
                                     org=org or cast.grassroots_a, person=person, group=group)


def test_quota_goes_down_two_levels_and_is_never_exceeded(cast):
    scheme = make_scheme(cast, places=10)
    county = actor_for(cast.officer_a)
    give_down(cast, scheme, township=6, grassroots=4)
    with pytest.raises(ValidationError) as exc:  # the county holds 4 left
        schemes.quota_allocate(actor=county, scheme=scheme, org=cast.township_a, places=11)
    assert "places" in exc.value.message_dict and "4" in exc.value.message_dict["places"][0]
    with pytest.raises(ValidationError):  # the township has 2 left to give
        schemes.quota_allocate(actor=county, scheme=scheme, org=cast.grassroots_a, places=7)
    schemes.quota_allocate(actor=county, scheme=scheme, org=cast.grassroots_a, places=6)
    top = Quota.objects.get(scheme=scheme, org=cast.county_a)
    mid = Quota.objects.get(scheme=scheme, org=cast.township_a)
    assert (top.allocated, mid.allocated, mid.left) == (6, 6, 0)
    # the database refuses a row giving more than it holds, whatever the code does
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.filter(pk=mid.pk).update(allocated=7)
    # an organisation that is not a child of a holder cannot be given places
    with pytest.raises(ValidationError):
        schemes.quota_allocate(actor=actor_for(cast.city_staff), scheme=scheme, org=cast.grassroots_b, places=1)


def test_nomination_takes_a_place_refusal_frees_it_one_per_person(cast):
    scheme = make_scheme(cast, places=10)
    give_down(cast, scheme, township=3, grassroots=1)
    a, b = member(cast, "张三"), member(cast, "李四")
    first = _nominate(cast, scheme, a, NominationGroup.MODEL_WORKER)
    assert first.quota.org == cast.grassroots_a
    with pytest.raises(ValidationError) as exc:  # the unit's one place is taken
        _nominate(cast, scheme, b)
    assert "places" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _nominate(cast, scheme, a)
    assert "person" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.create(scheme=scheme, quota=first.quota, org=cast.grassroots_a,
                                  org_path=cast.grassroots_a.path, person=a, group=NominationGroup.OTHER)
    # the unit cannot be given fewer places than it uses
    with pytest.raises(ValidationError):
        schemes.quota_allocate(actor=actor_for(cast.officer_a), scheme=scheme, org=cast.grassroots_a, places=0)
    schemes.nomination_refuse(actor=actor_for(cast.officer_a), nomination=first, reason="名额调整")
    assert Quota.objects.get(scheme=scheme, org=cast.grassroots_a).nominated == 0
    second = _nominate(cast, scheme, b)
    assert second.state == NominationState.NOMINATED
    # the branch (no quota of its own) nominates on the nearest quota above it: the unit's, now full
    with pytest.raises(ValidationError):
        _nominate(cast, scheme, member(cast, "王五", org=cast.branch_a), org=cast.branch_a)


def test_maker_checker_trip_attendance_and_subsidy(cast):
    scheme = make_scheme(cast, kind=SchemeKind.RECUPERATION, places=10, subsidy="1500")
    give_down(cast, scheme, township=5, grassroots=5)
    people = [member(cast, n) for n in ("甲一", "乙二", "丙三")]
    noms = [_nominate(cast, scheme, p) for p in people]
    county = actor_for(cast.officer_a)
    own = schemes.nomination_create(actor=county, scheme=scheme, org=cast.grassroots_a,
                                    person=member(cast, "丁四"), group=NominationGroup.EPIDEMIC)
    with pytest.raises(PermissionDenied):
        schemes.nomination_approve(actor=county, nomination=own)
    with pytest.raises(PermissionDenied):
        schemes.nomination_approve(actor=actor_for(cast.grassroots_officer), nomination=noms[0])
    for n in noms:
        schemes.nomination_approve(actor=county, nomination=n)
    trip = schemes.trip_create(actor=county, scheme=scheme, place="千岛湖疗休养基地",
                               start_on=datetime.date(2026, 9, 7), end_on=datetime.date(2026, 9, 11), capacity=2)
    with pytest.raises(ValidationError):  # over capacity
        schemes.trip_assign(actor=county, trip=trip, nominations=noms)
    with pytest.raises(ValidationError):  # not approved
        schemes.trip_assign(actor=county, trip=trip, nominations=[own])
    assert schemes.trip_assign(actor=county, trip=trip, nominations=noms[:2]) == 2
    schemes.attendance_mark(actor=county, trip=trip, attended=[noms[0].pk], absent=[noms[1].pk])
    with pytest.raises(ValidationError):
        schemes.attendance_mark(actor=county, trip=trip, attended=[noms[2].pk], absent=[])
    assert schemes.subsidy_due(scheme) == (1, Decimal("1500.00"))
    n0 = Nomination.objects.get(pk=noms[0].pk)
    assert n0.state == NominationState.ATTENDED and n0.attended_on == datetime.date(2026, 9, 7)


def test_bad_input_and_scope(cast):
    from gonghui.core.access import ANONYMOUS

    county = actor_for(cast.officer_a)
    with pytest.raises(ValidationError) as exc:
        schemes.scheme_create(actor=county, org=cast.county_a, kind="x", year=2026, name="体检", subsidy=100,
                              places=1)
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        schemes.scheme_create(actor=county, org=cast.county_a, kind=SchemeKind.CHECKUP, year=2026, name="体检",
                              subsidy="-1", places=1)
    assert "subsidy" in exc.value.message_dict
    with pytest.raises(PermissionDenied):  # the grassroots officer sets up no scheme
        schemes.scheme_create(actor=actor_for(cast.grassroots_officer), org=cast.grassroots_a,
                              kind=SchemeKind.CHECKUP, year=2026, name="体检", subsidy=100, places=1)
    scheme = make_scheme(cast)
    with pytest.raises(ValidationError) as exc:
        schemes.quota_allocate(actor=county, scheme=scheme, org=cast.township_a, places="很多")
    assert "places" in exc.value.message_dict and "整数" in exc.value.message_dict["places"][0]
    with pytest.raises(Http404):
        schemes.quota_allocate(actor=actor_for(cast.officer_b), scheme=scheme, org=cast.township_a, places=1)
    with pytest.raises(Http404):  # the grassroots officer cannot give its parent's places
        schemes.quota_allocate(actor=actor_for(cast.grassroots_officer), scheme=scheme, org=cast.grassroots_a,
                               places=1)
    with pytest.raises(PermissionDenied):
        schemes.nomination_create(actor=ANONYMOUS, scheme=scheme, org=cast.grassroots_a, person=member(cast),
                                  group=NominationGroup.OTHER)
    with pytest.raises(ValidationError) as exc:
        _nominate(cast, scheme, member(cast, "赵六"), group="boss")
    assert "group" in exc.value.message_dict
    n = _nominate(cast, scheme, member(cast, "钱七"))
    with pytest.raises(Http404):
        schemes.nomination_approve(actor=actor_for(cast.officer_b), nomination=n)
    with pytest.raises(ValidationError) as exc:
        schemes.nomination_refuse(actor=county, nomination=n, reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        schemes.trip_create(actor=county, scheme=scheme, place="市第一人民医院", start_on=datetime.date(2025, 5, 1),
                            capacity=10)
    assert "start_on" in exc.value.message_dict
