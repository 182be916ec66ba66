"""The rule engine (智能监控): the built-in rules (``builtin``), custom rules (``custom``) and the scans
(``engine``). ``scan`` and ``scan_incremental`` are the entry points the tick sweep, the journal import, the screens
and the benchmark call.

Decisions where the issue leaves a choice:
- Only an approved budget counts for ``over_budget`` and ``unbudgeted`` (a draft or reviewed one is not in force);
  the budget is matched to the lines by the union's path.
- ``duplicate_invoice`` looks across the whole tree the union belongs to (its top federation) and every year; a
  line of the scanned year is flagged. An invoice number without a code counts only when it is 20 digits.
- ``holiday_gift_cap`` uses the cap row of the nearest federation in force on 31 December of the year (the latest
  ``effective_from`` on or before it); none → 2,000. Members: the union's subtree, active, counted when the scan runs.
- ``split_purchase``: a group is every line covered by a window of ``window_days`` days (from a line's date) whose
  lines are each below T, at least two, and sum to T or more; overlapping windows make one alert.
- Per-federation settings: a union takes the row of its nearest federation (itself included), else the defaults; a
  switched-off rule is not run there.
- Alerts: one per invoice and union (duplicates), per group (split), per union and year (holiday gifts), per budget
  line (over budget), per fund return (late return), per line (the others and custom rules). The stable ``key`` makes
  a re-scan update the alert instead of raising another; the alert holds the lines the rule flags as the scan leaves
  them. A full scan closes an *open* alert its rule no longer finds; alerts a person acted on stay as they are.
  A reversal closes an open, explained or confirmed alert whose lines are all voided.
- ``gonghui funds scan --json`` lists the lines of every alert of the year except closed ones (dismissed and
  rectified alerts included: their lines are still flagged by the rule).
"""

from .engine import ScanResult, close_reversed, scan, scan_after_import, scan_incremental  # noqa: F401
