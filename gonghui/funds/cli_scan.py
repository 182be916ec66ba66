"""`gonghui funds scan --org CODE --year YEAR --as USER [--json]`: scan the subtree's books for the year and print
every line flagged in that year as the scan leaves it.

With ``--json``: a JSON array, one object per flagged line, ``{"rule", "union", "voucher", "date", "amount",
"message"}``, for every current alert of the year in the subtree (open, explained, confirmed, dismissed and
rectified: the rule still flags their lines; only alerts closed because their lines were reversed, or no longer found,
are left out), ordered by rule, union, date and voucher; the same output on a second run. For ``late_return`` the
union is the one owed and the voucher is the receipt's number. Without it, a summary by rule in Chinese.
Exit 2 for an unknown user or union, a union outside the user's scope, or a user who may not scan.
"""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.http import Http404
from django.utils import translation

from gonghui.core.access import actor_for
from gonghui.orgs.models import Org

from . import selectors_rules
from .models import RuleKey
from .rules import scan


def _fail(message: str):
    raise CommandError(message, returncode=2)


def handle_scan(command, **options) -> None:
    with translation.override("zh-hans"):
        _run(command, **options)


def _run(command, *, org: str, year: int, username: str | None = None, json: bool = False, **_options) -> None:
    user = get_user_model().objects.filter(username=username or "").first()
    if user is None:
        _fail(f"未知用户：{username or '（未指定 --as）'}")
    actor = actor_for(user)
    if not actor.is_authenticated:
        _fail(f"用户 {username} 没有可用的岗位授权")
    union = Org.objects.filter(code=(org or "").strip().upper()).first() or Org.objects.filter(code=org).first()
    if union is None or not actor.covers(union.path):
        _fail(f"单位 {org} 不存在或不在 {username} 的管理范围内")
    if not 1990 <= year <= 2100:
        _fail(f"年度不正确：{year}")
    try:
        result = scan(actor=actor, org=union, year=year)
    except (PermissionDenied, Http404):
        _fail(f"用户 {username} 无权扫描 {union.name} 的账目")
    except ValidationError as exc:
        _fail("；".join(exc.messages))
    if json:
        command.stdout.write(_dumps(_objects(actor, union, year)))
        return
    labels = dict(RuleKey.choices)
    command.stdout.write(f"{union.name} {year} 年度经费监控扫描：发现预警 {result.found} 项"
                         f"（新增 {result.created} 项），涉及支出行 {result.lines} 条")
    for rule, n in sorted(result.by_rule.items()):
        command.stdout.write(f"  {labels.get(rule, rule)}：{n} 项")
    if result.cleared:
        command.stdout.write(f"  已不再命中而关闭：{result.cleared} 项")


def _objects(actor, union, year: int) -> list[dict]:
    out = [{"rule": rule, "union": code, "voucher": f"{word}-{number:04d}", "date": date.isoformat(),
            "amount": f"{debit:.2f}", "message": message}
           for rule, code, word, number, date, debit, message in
           selectors_rules.flagged_rows(actor=actor, org=union, year=year)]
    out += [{"rule": rule, "union": code, "voucher": receipt, "date": date.isoformat(), "amount": f"{amount:.2f}",
             "message": message}
            for rule, code, receipt, date, amount, message in
            selectors_rules.return_rows(actor=actor, org=union, year=year)]
    return out


def _dumps(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1)
