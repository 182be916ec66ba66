"""Shared set-up of the medical mutual aid tests and demo: an open plan of county A (deductible 1000, ratio 0.5,
cap 5000 a year; 恶性肿瘤 at 0.7 up to 20000), workers of 东湖机械厂工会 enrolled, claims filed."""

import datetime

from gonghui.core.access import actor_for
from gonghui.members.tests.factories import add_member

from . import mutual

SPECIAL = [{"illness": "恶性肿瘤", "ratio": "0.7", "cap": "20000"}]


def make_plan(cast, *, fund="100000", open_it=True, org=None, **extra):
    org = org or cast.county_a
    staff = actor_for(cast.city_staff if org == cast.city else cast.officer_a)
    fields = {"year": 2026, "name": "2026年职工医疗互助", "contribution": "60", "deductible": "1000",
              "ratio": "0.5", "annual_cap": "5000", "special_rules": SPECIAL}
    fields.update(extra)
    plan = mutual.plan_create(actor=staff, org=org, fund=fund, **fields)
    return mutual.plan_open(actor=staff, plan=plan) if open_it else plan


def enrolled(cast, plan, name="李强", *, unit=None):
    unit = unit or cast.grassroots_a
    person = add_member(cast.grassroots_officer, unit, name=name).person
    return mutual.enrol(actor=actor_for(cast.grassroots_officer), plan=plan, unit=unit, person=person)


def file_claim(user, enrolment, *, self_paid="3000", total=None, insurance="2000", special="",
               day=datetime.date(2026, 3, 10), days=5, account="6222021234567890123"):
    from decimal import Decimal, InvalidOperation

    if total is None:
        try:
            total = Decimal(insurance) + Decimal(self_paid)
        except InvalidOperation:
            total = self_paid
    return mutual.claim_file(actor=actor_for(user), enrolment=enrolment, admitted_on=day,
                             discharged_on=day + datetime.timedelta(days=days - 1), total_bill=total,
                             insurance_paid=insurance, self_paid=self_paid, illness="肺炎住院",
                             special_illness=special, bank_account=account)
