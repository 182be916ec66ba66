"""Surveys in the browser: answering on a phone (a refused answer keeps its choices, the thank-you page, the same
browser not asked again), and the officer building a survey, opening it and reading the results' charts."""

import pytest

from gonghui.browser import log_in
from gonghui.testing import PASSWORD, build_cast

from .. import surveys
from ..models import Survey, SurveyResponse, SurveyState
from ..testing_surveys import answers_for, make_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_answer_a_survey_on_a_phone(page):
    cast = build_cast()
    survey = make_survey(cast)
    q1, q2, q3, q4 = surveys.questions_of(survey)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + f"/survey/{survey.public_token}/")
    page.wait_for_selector("#survey-form")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off a phone's screen
    page.click(f"label[for=q{q2.pk}_1]")  # question 1 is left out
    page.click(f"label[for=q{q3.pk}_4]")
    page.click("#survey-submit")
    page.wait_for_selector("#survey-error")
    assert "第1题" in page.locator(f"[data-error='{q1.pk}']").inner_text()
    assert page.locator(f"#q{q2.pk}_1").is_checked() and page.locator(f"#q{q3.pk}_4").is_checked()  # kept
    page.click(f"label[for=q{q1.pk}_0]")
    for i in (0, 2, 3):  # three choices where two are allowed
        page.click(f"label[for=q{q2.pk}_{i}]")
    page.click("#survey-submit")
    page.wait_for_selector("#survey-error")
    assert "最多选2项" in page.locator(f"[data-error='{q2.pk}']").inner_text()
    for i in (0, 2, 3):
        page.click(f"label[for=q{q2.pk}_{i}]")  # untick them again: choice 1 stays
    page.fill(f"#q{q4.pk}", "食堂晚上能否延长供餐")
    page.click("#survey-submit")
    page.wait_for_selector("#survey-thanks")
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    r = surveys.results(Survey.objects.get(pk=survey.pk))
    assert [o["count"] for o in r["questions"][1]["options"]] == [0, 1, 0, 0]
    page.goto(page.base + f"/survey/{survey.public_token}/")
    assert "已经在这个浏览器上回答过" in page.locator("#survey-refused").inner_text()


def test_build_open_and_read_the_results_with_charts(page):
    cast = build_cast()
    survey = make_survey(cast, open_it=False)
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + f"/democracy/surveys/{survey.pk}/")
    assert page.locator("#survey-qr svg").count() == 1
    page.select_option("#id_kind", "text")
    assert page.locator("#field-options").is_hidden() and page.locator("#field-max_length").is_visible()
    page.select_option("#id_kind", "scale")
    assert page.locator("#field-scale_max").is_visible() and page.locator("#field-max_length").is_hidden()
    page.fill("#id_text", "您对职工书屋打几分")
    page.fill("#id_scale_min", "0")
    page.fill("#id_scale_max", "10")
    page.click("#question-add")
    page.wait_for_selector("#question-list li[data-position='5']")
    page.click("#open-survey")
    page.wait_for_selector("#survey-state[data-state='open']")
    survey = Survey.objects.get(pk=survey.pk)
    assert survey.state == SurveyState.OPEN
    scale10 = surveys.questions_of(survey)[4]
    for single, scale in ((0, 5), (0, 4), (1, 2)):
        surveys.response_submit(survey=survey, answers={**answers_for(survey, single, (1,), scale),
                                                        scale10.pk: ["8"]})
    page.click("#survey-results-link")
    for q in surveys.questions_of(survey):
        if q.kind != "text":
            page.wait_for_selector(f"[data-chart='survey-chart-{q.pk}'][data-drawn='1']")
    assert page.locator("#results-summary").get_attribute("data-responses") == "3"
    assert page.locator(f"[data-result='{scale10.pk}'] [data-mean]").inner_text() == "8.0"
    assert page.locator("[data-chart] canvas").count() >= 4
