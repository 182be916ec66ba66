"""In a browser: the office files a problem found on a visit as a request case (a missing topic refused first, the
subject kept), follows the link to the case and back to the visit."""

import pytest

from gonghui.browser import log_in
from gonghui.casework.models import Case
from gonghui.oversight.testing_visits import record_visit
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_finding_becomes_a_case(page):
    cast = build_cast()
    v = record_visit(cast.officer_a, units="GA", findings=["职工反映加班费未足额发放"])
    f = v.findings.get()
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + f"/oversight/visits/{v.pk}/")
    form = page.locator(".gh-finding-case")
    form.locator(f"#id_c{f.pk}-subject").fill("东湖机械厂加班费")
    form.locator(f"#id_c{f.pk}-category").select_option("solution")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".gh-finding-case .invalid-feedback")
    assert page.locator(f"#id_c{f.pk}-subject").input_value() == "东湖机械厂加班费"
    page.locator(f"#id_c{f.pk}-topic").select_option("wages")
    page.locator(".gh-finding-case button[type=submit]").click()
    page.wait_for_selector("#visit-findings li[data-fate=case] a")
    case = Case.objects.get()
    assert case.code in page.locator("#visit-findings").inner_text()
    page.click("#visit-findings li[data-fate=case] a")
    page.wait_for_selector("#case-origin")
    assert v.title in page.locator("#case-origin").inner_text()
    page.click("#case-origin a")
    page.wait_for_selector("#visit-findings")
    assert page.url.endswith(f"/oversight/visits/{v.pk}/")
