"""``gonghui tick``: the periodic sweeps (supervision colors, reminders, escalations), run by a timer."""

import json

from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

# Each sweep is fn(now=None) -> dict of counts, safe to run again: a second run sends nothing twice.
SWEEPS = ["gonghui.casework.tasks.casework_tick"]


class Command(BaseCommand):
    help = "运行定时任务：督办着色、到期提醒与逐级上报（可重复运行，不会重复发送）"

    def handle(self, *args, **options):
        for dotted in SWEEPS:
            counts = import_string(dotted)()
            self.stdout.write(f"{dotted.rsplit('.', 1)[-1]}: {json.dumps(counts, ensure_ascii=False, default=str)}")
