"""`gonghui workdays`: count working days from the shell, with the same calendar the deadlines use.

    gonghui workdays add 2026-09-30 5               -> 2026-10-13
    gonghui workdays between 2026-09-30 2026-10-12  -> 4
    gonghui workdays is 2026-10-01                  -> 2026-10-01 休息日 国庆节
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gonghui.core import workdays
from gonghui.core.calendar_services import parse_date

# How many values each action takes, and what they are, for the usage message.
_ACTIONS = {"add": "DATE N", "between": "DATE DATE", "is": "DATE"}


class Command(BaseCommand):
    help = (
        "Count working days under the holiday arrangement: 'add DATE N' (the N-th working day after DATE; "
        "negative N counts back), 'between DATE DATE' (working days after the first up to the second), "
        "'is DATE' (working day or day off, and the holiday's name)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=sorted(_ACTIONS), help="add, between or is")
        parser.add_argument("values", nargs="+", help="dates as YYYY-MM-DD, and a whole number for add")

    def handle(self, *args, action: str, values: list[str], **options) -> None:
        if len(values) != len(_ACTIONS[action].split()):
            raise CommandError(_("usage: workdays %(action)s %(args)s (got: %(values)s)") % {
                "action": action, "args": _ACTIONS[action], "values": " ".join(values)})
        if action == "add":
            start, n = _date(values[0]), _int(values[1])
            result = workdays.add_workdays(start, n)
            self._write(result.isoformat(), result.provisional, start, result)
        elif action == "between":
            a, b = _date(values[0]), _date(values[1])
            count = workdays.workdays_between(a, b)
            self._write(str(int(count)), count.provisional, a, b)
        else:
            d = _date(values[0])
            is_work, name, provisional = workdays.day_info(d)
            # 工作日/休息日 are the calendar's own terms, printed as they are written on the notice.
            line = " ".join(part for part in (d.isoformat(), "工作日" if is_work else "休息日", name) if part)
            self._write(line, provisional, d, d)

    def _write(self, line: str, provisional: bool, a: date, b: date) -> None:
        if provisional:
            years = workdays.unpublished_years(a, b)
            line += " " + _("(provisional: no holiday arrangement for %(years)s)") % {
                "years": ", ".join(str(y) for y in years)}
        self.stdout.write(line)


def _date(value: str) -> date:
    try:
        return parse_date(value)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        message = _("“%(value)s” is not a whole number of working days.") % {"value": value}
        raise CommandError(message) from None
