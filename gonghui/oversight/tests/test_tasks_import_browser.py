"""In a browser: the office uploads its key-task list, sees the rows checked, confirms, and finds the tasks on the
list."""

import pytest

from gonghui.browser import log_in
from gonghui.oversight.models import Department, KeyTask
from gonghui.oversight.tests.test_tasks_import import GOOD, messy
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_key_task_list_is_checked_then_imported(page, tmp_path):
    cast = build_cast()
    for i, n in enumerate(("办公室", "权益保障部")):
        Department.objects.create(org=cast.county_a, org_path=cast.county_a.path, name=n, order=i)
    path = tmp_path / "任务清单.xlsx"
    path.write_bytes(messy(GOOD))
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/oversight/tasks/")
    page.click("#task-import")
    page.wait_for_selector("#import-form")
    page.set_input_files("#import-form input[type=file]", str(path))
    page.click("#import-form button[name=check]")
    page.wait_for_selector("#import-checked")
    assert "建设户外劳动者驿站10个" in page.locator("#import-checked").inner_text()
    assert not KeyTask.objects.exists()
    page.click("#import-confirm button[type=submit]")
    page.wait_for_selector("#task-list")
    assert KeyTask.objects.count() == 2
