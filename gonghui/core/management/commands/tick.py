"""``gonghui tick``: the periodic sweeps (supervision colors, reminders, escalations), run by a timer."""

import json
import time

from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

# Each sweep is fn(now=None) -> dict of counts, safe to run again: a second run sends nothing twice.
SWEEPS = ["gonghui.casework.tasks.casework_tick", "gonghui.funds.tasks_income.returns_tick",
          "gonghui.funds.tasks_rules.rules_sweep", "gonghui.core.approvals.approvals_expire",
          "gonghui.privacy.retention.retention_sweep", "gonghui.core.import_jobs.import_jobs_sweep",
          "gonghui.core.audit_anchors.anchor_sweep",
          "gonghui.oversight.tasks_ledger.ledger_tick", "gonghui.oversight.tasks_visits.inspections_tick",
          "gonghui.aid.archive.archive_tick", "gonghui.democracy.polls.polls_tick",
          "gonghui.democracy.proposals.proposals_tick"]


class Command(BaseCommand):
    help = "运行定时任务：督办着色、到期提醒与逐级上报（可重复运行，不会重复发送）"

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="每隔若干秒运行一次，直到被中止（演示环境用；生产环境请用 systemd 定时器或 cron）")

    def handle(self, *args, every=0, **options):
        while True:
            for dotted in SWEEPS:
                counts = import_string(dotted)()
                self.stdout.write(
                    f"{dotted.rsplit('.', 1)[-1]}: {json.dumps(counts, ensure_ascii=False, default=str)}")
            if every <= 0:
                return
            time.sleep(every)
