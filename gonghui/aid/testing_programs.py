"""Shared set-up of the programs tests: a program of county A and a member of 东湖机械厂工会."""

import datetime

from gonghui.core.access import actor_for
from gonghui.members.tests.factories import add_member

from . import programs
from .models import ProgramKind


def make_program(cast, *, kind=ProgramKind.SCHOLARSHIP, budget="10000", org=None, **extra):
    org = org or cast.county_a
    account = extra.pop("budget_account", "维权支出-困难职工帮扶")
    return programs.program_create(actor=actor_for(cast.city_staff if org == cast.city else cast.officer_a),
                                   org=org, kind=kind, name=extra.pop("name", ProgramKind(kind).label[:40]),
                                   period_key="2026", start_on=datetime.date(2026, 1, 1),
                                   end_on=datetime.date(2026, 12, 31), budget=budget, budget_account=account,
                                   **extra)


def member(cast, name="李强"):
    return add_member(cast.grassroots_officer, cast.grassroots_a, name=name).person
