"""Shared set-up of the drives and schemes tests: a drive and a scheme of county A, members of 东湖机械厂工会."""

import datetime

from gonghui.core.access import actor_for
from gonghui.members.tests.factories import add_member

from . import drives, schemes
from .models import SchemeKind


def make_drive(cast, *, org=None, name="2026年一日捐", day=datetime.date(2026, 6, 18)):
    return drives.drive_create(actor=actor_for(cast.officer_a), org=org or cast.county_a, name=name, day=day)


def make_scheme(cast, *, kind=SchemeKind.CHECKUP, places=10, subsidy="100", year=2026):
    return schemes.scheme_create(actor=actor_for(cast.officer_a), org=cast.county_a, kind=kind, year=year,
                                 name=SchemeKind(kind).label[:40], subsidy=subsidy, places=places)


def member(cast, name="李强", org=None):
    org = org or cast.grassroots_a
    user = cast.grassroots_officer if org.path.startswith(cast.grassroots_a.path) else cast.city_staff
    return add_member(user, org, name=name).person


def give_down(cast, scheme, township=5, grassroots=3):
    """Places two levels down: county → township → grassroots."""
    schemes.quota_allocate(actor=actor_for(cast.officer_a), scheme=scheme, org=cast.township_a, places=township)
    return schemes.quota_allocate(actor=actor_for(cast.officer_a), scheme=scheme, org=cast.grassroots_a,
                                  places=grassroots)
