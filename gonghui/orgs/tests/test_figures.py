import datetime
from decimal import Decimal

from gonghui.core.access import actor_for
from gonghui.core.figures import Period, compute
from gonghui.orgs import services


def _values(cast, user, org, key="2026"):
    return {fv.key: fv.value for fv in compute(org, Period.parse(key), actor=actor_for(user))}


def test_org_figures_match_a_hand_count(cast):
    actor = actor_for(cast.officer_a)
    # Hand-made county A: GA (registered, 女工委) plus three more grassroots unions.
    services.org_create(actor=actor, parent=cast.township_a, name="甲厂工会", level="grassroots", kind="enterprise",
                        legal_person_registered=True, has_audit_committee=True,
                        term_ends_on=datetime.date(2025, 5, 1))
    services.org_create(actor=actor, parent=cast.township_a, name="乙校工会", level="grassroots", kind="school",
                        has_women_committee=True, term_ends_on=datetime.date(2028, 5, 1))
    late = services.org_create(actor=actor, parent=cast.township_a, name="丙厂工会", level="grassroots",
                               kind="enterprise", founded_on=datetime.date(2026, 2, 1))
    services.org_dissolve(actor=actor, org=late, dissolved_on=datetime.date(2026, 8, 1), reason="关停")
    v = _values(cast, cast.officer_a, cast.county_a)
    # At the end of 2026 丙 is dissolved: GA, 甲, 乙 remain; 2 of 3 registered.
    assert v["orgs.grassroots"] == 3
    assert v["orgs.legal_person_registered"] == 2
    assert v["orgs.legal_person_rate"] == Decimal("66.7")
    assert v["orgs.women_committees"] == 2 and v["orgs.audit_committees"] == 1
    assert v["orgs.past_term"] == 1
    assert dict(v["orgs.by_kind"]) == {"企业": 2, "学校": 1} or dict(v["orgs.by_kind"]) == {"Enterprise": 2,
                                                                                       "School": 1}
    # In the first half of 2026 丙 still existed.
    assert _values(cast, cast.officer_a, cast.county_a, "2026H1")["orgs.grassroots"] == 4
    # The city sees both counties; county B sees only its own.
    assert _values(cast, cast.city_staff, cast.city)["orgs.grassroots"] == 4
    assert _values(cast, cast.officer_b, cast.county_b)["orgs.grassroots"] == 1


def test_periods_parse():
    assert Period.parse("2026H1").end == datetime.date(2026, 6, 30)
    assert Period.parse("2026Q4").start == datetime.date(2026, 10, 1)
    assert Period.parse("2026-02").end == datetime.date(2026, 2, 28)
    import pytest

    for bad in ("2026H3", "2026-13", "abc", "2026-05-01~2026-04-01"):
        with pytest.raises(ValueError):
            Period.parse(bad)
