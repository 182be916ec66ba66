"""The drives' and schemes' aid.* figures against a hand count, by subtree and period."""

import datetime
from decimal import Decimal

from gonghui.aid import drives, schemes
from gonghui.aid.models import NominationGroup, SchemeKind
from gonghui.aid.testing_drives import give_down, make_drive, make_scheme, member
from gonghui.core.access import actor_for
from gonghui.core.figures import Period, compute

KEYS = ["aid.donation_units", "aid.donation_donors", "aid.donation_total", "aid.recuperation", "aid.checkups"]


def _figures(cast, org, period="2026"):
    return {v.key: v.value for v in compute(org, Period.parse(period), actor=actor_for(cast.city_staff), keys=KEYS)}


def _attend(cast, scheme, people_groups, day):
    county, unit = actor_for(cast.officer_a), actor_for(cast.grassroots_officer)
    noms = [schemes.nomination_create(actor=unit, scheme=scheme, org=cast.grassroots_a, person=p, group=g)
            for p, g in people_groups]
    for n in noms:
        schemes.nomination_approve(actor=county, nomination=n)
    trip = schemes.trip_create(actor=county, scheme=scheme, place="基地", start_on=day, capacity=10)
    schemes.trip_assign(actor=county, trip=trip, nominations=noms)
    return trip, noms


def test_figures_match_a_hand_count(cast):
    county, unit, other = (actor_for(cast.officer_a), actor_for(cast.grassroots_officer),
                           actor_for(cast.officer_b))
    d = make_drive(cast, day=datetime.date(2026, 6, 18))
    drives.unit_record(actor=unit, drive=d, org=cast.grassroots_a, donors=100, amount="5000")
    drives.donation_add(actor=unit, drive=d, org=cast.grassroots_a, donor_name="王大爷", amount="66.60")
    drives.unit_record(actor=county, drive=d, org=cast.township_a, donors=8, amount="800")
    drives.unit_record(actor=county, drive=d, org=cast.county_a, donors=0, amount="0")  # no donor: not counted
    old = make_drive(cast, name="去年", day=datetime.date(2025, 6, 18))
    drives.unit_record(actor=unit, drive=old, org=cast.grassroots_a, donors=50, amount="999")
    b = drives.drive_create(actor=other, org=cast.county_b, name="西山一日捐", day=datetime.date(2026, 5, 1))
    drives.unit_record(actor=other, drive=b, org=cast.grassroots_b, donors=7, amount="70")

    rec = make_scheme(cast, kind=SchemeKind.RECUPERATION, places=20)
    give_down(cast, rec, township=10, grassroots=8)
    trip, noms = _attend(cast, rec, [(member(cast, "甲"), NominationGroup.MODEL_WORKER),
                                     (member(cast, "乙"), NominationGroup.FRONTLINE),
                                     (member(cast, "丙"), NominationGroup.FRONTLINE)], datetime.date(2026, 9, 1))
    schemes.attendance_mark(actor=county, trip=trip, attended=[n.pk for n in noms[:2]], absent=[noms[2].pk])
    chk = make_scheme(cast, kind=SchemeKind.CHECKUP, places=20)
    give_down(cast, chk, township=10, grassroots=8)
    trip, noms = _attend(cast, chk, [(member(cast, "丁"), NominationGroup.NEW_EMPLOYMENT)],
                         datetime.date(2026, 11, 3))
    schemes.attendance_mark(actor=county, trip=trip, attended=[noms[0].pk], absent=[])

    got = _figures(cast, cast.city)
    assert got["aid.donation_units"] == 3  # GA, CA1 in 2026, GB
    assert got["aid.donation_donors"] == 101 + 8 + 7
    assert got["aid.donation_total"] == Decimal("5936.60")
    rec_counts = dict(got["aid.recuperation"])
    assert rec_counts["劳模"] == 1 and rec_counts["一线职工"] == 1 and sum(rec_counts.values()) == 2
    assert sum(n for _l, n in got["aid.checkups"]) == 1 and dict(got["aid.checkups"])["新就业形态劳动者"] == 1
    a = _figures(cast, cast.grassroots_a)
    assert (a["aid.donation_units"], a["aid.donation_donors"], a["aid.donation_total"]) == (1, 101,
                                                                                          Decimal("5066.60"))
    b_fig = _figures(cast, cast.county_b)
    assert (b_fig["aid.donation_units"], b_fig["aid.donation_total"]) == (1, Decimal("70.00"))
    assert sum(n for _l, n in b_fig["aid.recuperation"]) == 0
    last_year = _figures(cast, cast.city, "2025")
    assert (last_year["aid.donation_units"], last_year["aid.donation_donors"]) == (1, 50)
