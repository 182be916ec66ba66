"""Import jobs that lose their worker (heartbeat, the tick sweep, retry and cancel), imports that would give a union
more members than employees, and unreadable files on screen, CLI and API."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation

from gonghui.core.access import actor_for
from gonghui.core.figures import Period
from gonghui.core.models import AuditEvent, ImportJob, Role
from gonghui.core.tests.test_spreadsheet_bombs import bomb_xlsx, numbered_rows
from gonghui.core.users_services import api_token_create
from gonghui.members import figures, roster, tasks
from gonghui.members.models import Membership, Person
from gonghui.members.tests.factories import resident_id
from gonghui.members.tests.test_roster import HEADER, xlsx
from gonghui.testing import _user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_SPREADSHEET = "不是可读取的电子表格"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("zh-hans"):
        yield tmp_path


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def roster_file(n: int) -> bytes:
    return xlsx([HEADER, *([f"人{i}", resident_id(), "", "2021-03-05"] for i in range(n))])


class Killed(BaseException):
    """Stands for the worker being killed: not an Exception, so job_run's own handler does not see it."""


def _kill_during_the_write(monkeypatch):
    original = roster._write_all

    def write_then_die(*args, **kwargs):
        original(*args, **kwargs)  # rows written inside the import's transaction...
        raise Killed  # ...and the process dies before the commit

    monkeypatch.setattr(roster, "_write_all", write_then_die)


def _import_job(cast, n: int = 2) -> ImportJob:
    actor = actor_for(cast.grassroots_officer)
    return tasks.job_create(actor=actor, union=cast.grassroots_a, data=roster_file(n), filename="r.xlsx",
                            stage=tasks.IMPORT)


# --- heartbeat, sweep, retry, cancel ---------------------------------------------------------------------------


def test_a_worker_killed_mid_write_leaves_nothing_and_tick_recovers_the_job(cast, login, settings, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    job = _import_job(cast)
    _kill_during_the_write(monkeypatch)
    with pytest.raises(Killed):
        tasks.job_run(job.uid)
    job.refresh_from_db()
    assert job.status == "running" and job.heartbeat_at and "heartbeat" not in job.options
    assert Person.objects.count() == 0 and Membership.objects.count() == 0  # all or nothing

    out = io.StringIO()
    call_command("tick", stdout=out)  # fresh heartbeat: the job is left alone
    assert '"stale_import_jobs": 0' in out.getvalue()
    job.refresh_from_db()
    assert job.status == "running"

    settings.IMPORT_JOB_STALE_MINUTES = 0
    call_command("tick", stdout=out)
    assert '"stale_import_jobs": 1' in out.getvalue()
    job.refresh_from_db()
    assert job.status == "failed" and job.options["stale"] and "已中断" in job.message
    assert AuditEvent.objects.filter(action="member.import_interrupted", object_id=job.uid).exists()
    call_command("tick", stdout=out)  # safe to run again
    assert out.getvalue().count('"stale_import_jobs": 1') == 1

    monkeypatch.undo()
    client = login(cast.grassroots_officer)
    page = client.get(reverse("members:import_job", args=[job.uid])).content.decode()
    assert 'id="import-interrupted"' in page and 'id="import-retry"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:import_job", args=[job.uid]), {"action": "retry"})
    job.refresh_from_db()
    assert (job.status, job.created_rows) == ("succeeded", 2) and Membership.objects.count() == 2
    assert AuditEvent.objects.filter(action="member.import_retry", object_id=job.uid).exists()


def test_a_stale_running_job_can_be_cancelled_at_once(cast, login, settings, monkeypatch):
    job = _import_job(cast)
    _kill_during_the_write(monkeypatch)
    with pytest.raises(Killed):
        tasks.job_run(job.uid)
    client = login(cast.grassroots_officer)
    url = reverse("members:import_job", args=[job.uid])
    client.post(url, {"action": "cancel"})  # still fresh: a running import cannot be cancelled
    job.refresh_from_db()
    assert job.status == "running"
    settings.IMPORT_JOB_STALE_MINUTES = 0
    assert 'id="import-interrupted"' in client.get(url).content.decode()
    assert client.post(url, {"action": "cancel"}).url == reverse("members:import")
    job.refresh_from_db()
    assert job.status == "failed" and job.options["cancelled"] and Person.objects.count() == 0


def test_retry_is_refused_for_a_job_that_was_not_interrupted(cast):
    job = _import_job(cast)
    tasks.job_run(job.uid)
    with pytest.raises(Exception) as exc:
        tasks.job_retry(actor=actor_for(cast.grassroots_officer), job=job)
    assert getattr(exc.value, "code", "") == "not_retryable"


@pytest.mark.parametrize("who", ["officer_b", "grassroots_b", "anonymous"])
def test_others_cannot_see_retry_or_cancel_a_job(cast, client, settings, monkeypatch, who):
    job = _import_job(cast)
    _kill_during_the_write(monkeypatch)
    with pytest.raises(Killed):
        tasks.job_run(job.uid)
    settings.IMPORT_JOB_STALE_MINUTES = 0
    if who == "officer_b":
        client.force_login(cast.officer_b)
    elif who == "grassroots_b":
        client.force_login(_user("grassroots_b", "水泥厂工会主席", Role.UNION_OFFICER, cast.grassroots_b))
    url = reverse("members:import_job", args=[job.uid])
    for action in ("retry", "cancel"):
        response = client.post(url, {"action": action})
        assert response.status_code in (404, 302) and (who == "anonymous") == (response.status_code == 302)
        if response.status_code == 302:
            assert "login" in response.url
    job.refresh_from_db()
    assert job.status == "running"


def test_a_queued_job_counts_its_rows_before_checking_them(cast, login, settings, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    settings.IMPORT_INLINE_MAX_ROWS = 1
    client = login(cast.grassroots_officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("members:import"), {"union": "GA", "file": upload("r.xlsx", roster_file(3))})
    page = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert "正在统计文件行数" in page and "共约 0 行" not in page
    seen = {}
    original = roster.roster_import

    def spy(**kwargs):
        seen["total"] = ImportJob.objects.get().total_rows
        return original(**kwargs)

    monkeypatch.setattr(roster, "roster_import", spy)
    callbacks[0]()
    assert seen["total"] == 4  # the header and three rows, counted before the check


def test_a_small_file_holding_many_rows_goes_to_the_worker(cast, login, django_capture_on_commit_callbacks):
    data = bomb_xlsx(numbered_rows(60_000))  # no <dimension>, well under the inline byte bound
    client = login(cast.grassroots_officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("members:import"), {"union": "GA", "file": upload("r.xlsx", data)})
    assert ImportJob.objects.get().status == "pending" and len(callbacks) == 1


def test_upload_limit_comes_from_the_settings(cast, login, settings):
    settings.IMPORT_LIMITS = {"members.roster": {"max_upload_mb": 0.001}}
    client = login(cast.grassroots_officer)
    response = client.post(reverse("members:import"), {"union": "GA", "file": upload("r.xlsx", roster_file(20))})
    assert response.status_code == 200 and ImportJob.objects.count() == 0
    assert "MB" in response.content.decode()


# --- unreadable files: the same message everywhere ----------------------------------------------------------------


def test_random_bytes_named_xlsx_are_not_a_spreadsheet_on_screen_cli_and_api(cast, login, tmp_path):
    junk = bytes((i * 37 + 11) % 251 for i in range(4000))
    client = login(cast.grassroots_officer)
    response = client.post(reverse("members:import"), {"union": "GA", "file": upload("r.xlsx", junk)})
    assert NOT_SPREADSHEET in client.get(response.url).content.decode()

    path = tmp_path / "junk.xlsx"
    path.write_bytes(junk)
    with pytest.raises(CommandError) as exc:
        call_command("members", "import", str(path), "--org", "GA", "--as", "grassroots_a",
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert exc.value.returncode == 2 and NOT_SPREADSHEET in str(exc.value)
    with pytest.raises(CommandError) as exc:
        call_command("orgs", "import", str(path), "--as", "officer_a", stdout=io.StringIO(), stderr=io.StringIO())
    assert exc.value.returncode == 2 and NOT_SPREADSHEET in str(exc.value) and "detect" not in str(exc.value)

    _t, secret = api_token_create(actor=actor_for(cast.grassroots_officer), name="名册系统")
    api = client.post("/api/v1/members/imports", {"file": upload("r.xlsx", junk), "org": "GA"},
                      HTTP_AUTHORIZATION=f"Bearer {secret}")
    uid = api.json()["uid"]
    tasks.job_run(uid)
    status = client.get(f"/api/v1/members/imports/{uid}", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert status["status"] == "failed" and NOT_SPREADSHEET in status["message"]


# --- more members than employees ----------------------------------------------------------------------------------


@pytest.fixture
def small_union(cast):
    cast.grassroots_a.employee_count = 2
    cast.grassroots_a.save(update_fields=["employee_count"])
    return cast.grassroots_a


def test_an_import_past_the_employee_count_writes_nothing_unless_accepted(cast, small_union):
    actor = actor_for(cast.grassroots_officer)
    data = roster_file(3)
    result = roster.roster_import(actor=actor, union=small_union, data=data, filename="r.xlsx")
    assert result.blocked_over_employees and not result.committed and Membership.objects.count() == 0
    assert "3" in result.over_employees_message() and "2" in result.over_employees_message()
    assert AuditEvent.objects.filter(action="member.import", outcome="failed").count() == 1
    dry = roster.roster_import(actor=actor, union=small_union, data=data, filename="r.xlsx", dry_run=True)
    assert dry.over_employees and dry.summary()["over_employees"]
    accepted = roster.roster_import(actor=actor, union=small_union, data=data, filename="r.xlsx",
                                    accept_over_employees=True)
    assert accepted.committed and Membership.objects.count() == 3


def test_within_the_employee_count_nothing_is_asked(cast, small_union):
    result = roster.roster_import(actor=actor_for(cast.grassroots_officer), union=small_union,
                                  data=roster_file(2), filename="r.xlsx")
    assert not result.over_employees and result.committed


def test_the_screen_asks_to_confirm_more_members_than_employees(cast, login, small_union):
    client = login(cast.grassroots_officer)
    response = client.post(reverse("members:import"), {"union": "GA", "file": upload("r.xlsx", roster_file(3))})
    page = client.get(response.url).content.decode()
    assert 'id="import-over-employees"' in page and 'name="accept_over_employees"' in page
    client.post(response.url, {"action": "confirm"})  # without the box
    assert Membership.objects.count() == 0
    assert ImportJob.objects.get().options["stage"] == "check"
    client.post(response.url, {"action": "confirm", "accept_over_employees": "1"})
    assert Membership.objects.count() == 3


def test_the_command_refuses_more_members_than_employees_without_the_flag(cast, small_union, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(roster_file(3))
    args = ["import", str(path), "--org", "GA", "--as", "grassroots_a"]
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("members", *args, stdout=io.StringIO(), stderr=err)
    assert exc.value.returncode == 1 and "职工" in str(exc.value) and "--accept-over-employees" in str(exc.value)
    assert Membership.objects.count() == 0
    call_command("members", *args, "--accept-over-employees", stdout=io.StringIO(), stderr=io.StringIO())
    assert Membership.objects.count() == 3


def test_the_api_refuses_more_members_than_employees_without_the_field(cast, client, small_union,
                                                                       django_capture_on_commit_callbacks):
    _t, secret = api_token_create(actor=actor_for(cast.grassroots_officer), name="名册系统")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    with django_capture_on_commit_callbacks(execute=True):
        uid = client.post("/api/v1/members/imports", {"file": upload("r.xlsx", roster_file(3)), "org": "GA"},
                          **auth).json()["uid"]
    status = client.get(f"/api/v1/members/imports/{uid}", **auth).json()
    assert status["status"] == "refused" and status["over_employees"] and Membership.objects.count() == 0
    assert ImportJob.objects.get(uid=uid).options["code"] == "over_employees"
    with django_capture_on_commit_callbacks(execute=True):
        uid = client.post("/api/v1/members/imports", {"file": upload("r.xlsx", roster_file(3)), "org": "GA",
                                                      "accept_over_employees": "true"}, **auth).json()["uid"]
    assert client.get(f"/api/v1/members/imports/{uid}", **auth).json()["status"] == "succeeded"
    assert Membership.objects.count() == 3


def test_only_the_valid_rows_after_a_check_without_uploading_again(cast, login):
    client = login(cast.grassroots_officer)
    bad = xlsx([HEADER, ["甲", resident_id(), "", ""], ["乙", "1234", "", ""], ["丙", resident_id(), "", ""]])
    response = client.post(reverse("members:import"), {"union": "GA", "file": upload("r.xlsx", bad)})
    assert ImportJob.objects.get().status == "refused"
    assert "只导入无误的行" in client.get(response.url).content.decode()
    client.post(response.url, {"action": "confirm_valid"})
    job = ImportJob.objects.get()
    assert (job.status, job.created_rows, job.refused_rows) == ("succeeded", 2, 1)
    assert Membership.objects.count() == 2


def test_a_rate_above_100_percent_is_a_data_error_not_a_figure(cast, login, small_union):
    roster.roster_import(actor=actor_for(cast.grassroots_officer), union=small_union, data=roster_file(3),
                         filename="r.xlsx", accept_over_employees=True)
    period = Period.parse(str(timezone.localdate().year), today=timezone.localdate())
    value = figures.membership_rate(small_union, period)
    assert isinstance(value, figures.RateDataError) and value == 150
    page = login(cast.grassroots_officer).get(reverse("orgs:dashboard", args=["GA"])).content.decode()
    assert "数据有误（会员数超过职工数）" in page and "150.0" not in page
    assert figures.checked_rate(figures.rate(1, 2)) == 50 and figures.checked_rate(None) is None
