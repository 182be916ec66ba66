"""The nightly scan run by ``gonghui tick`` (SWEEPS: ``gonghui.funds.tasks_rules.rules_sweep``): the incremental
scan of every line posted since the last one, and the fund returns that fell due (late_return looks at today)."""

import datetime

from django.db.models import Q
from django.utils import timezone

from gonghui.core.access import SYSTEM

from .models import FundReturn, RuleKey
from .rules import scan_incremental
from .rules.builtin import Region, late_return
from .rules.engine import ScanResult, _params_of, _save


def rules_sweep(*, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    result = scan_incremental(actor=SYSTEM, today=today)
    # Returns become late without a new line: rescan those past due and unpaid, and those paid late recently.
    late = ScanResult(rules=[RuleKey.LATE_RETURN])
    rows = (FundReturn.objects.filter(Q(paid_on__isnull=True, due_on__lt=today) |
                                      Q(paid_on__gte=today - datetime.timedelta(days=7)))
            .values_list("union_path", "receipt_on__year").distinct())
    by_year: dict[int, set[str]] = {}
    for path, year in rows:
        by_year.setdefault(year, set()).add(path)
    for year, paths in by_year.items():
        paths = sorted(paths)
        for i in range(0, len(paths), 500):
            hits = late_return(Region(paths=tuple(paths[i:i + 500])), year, _params_of(None), today=today)
            _save(hits, year, late)
    return {"found": result.found + late.found, "created": result.created + late.created,
            "lines": result.lines, "seconds": round(result.seconds, 3)}
