"""`gonghui members`: import a union's roster from a spreadsheet.

    gonghui members import roster.xlsx --org GA --as zhangsan [--dry-run] [--skip-invalid] [--report out.xlsx]
        [--accept-over-employees]

The command acts as the user (their first grant), with the same scope and checks as the screens, and runs
the import in this process (no worker needed). Exit codes: 0 imported (or a clean dry run); 1 rows were
refused (nothing written; with --skip-invalid the valid rows were written and the others reported);
2 the file cannot be read or used (unreadable, no header row, a required column missing), or the user,
the union or the permission does not allow the import at all. An import that would give the union more
members than employees is refused with 1 (nothing written) unless --accept-over-employees.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from gonghui.core.access import actor_for
from gonghui.members import roster
from gonghui.orgs.selectors import org_get

REFUSED = 1
UNUSABLE = 2


class Command(BaseCommand):
    help = "Import members into a union from a roster (xlsx, xls, ods or csv), all or nothing."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import}")
        imp = sub.add_parser("import", help="import a roster into a union")
        imp.add_argument("file", help="the spreadsheet")
        imp.add_argument("--org", required=True, help="code of the union (grassroots union or branch)")
        imp.add_argument("--as", dest="username", help="act as this user (their first grant); required")
        imp.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        imp.add_argument("--skip-invalid", action="store_true",
                         help="import the valid rows and report the others (default: all or nothing)")
        imp.add_argument("--report", help="write the refused rows with their problems to this xlsx file")
        imp.add_argument("--accept-over-employees", action="store_true",
                         help="import even if the union would then have more members than employees")

    def handle(self, *args, action: str, **options) -> None:
        actor = _actor(options["username"])
        try:
            union = org_get(actor=actor, code=options["org"].strip().upper())
        except Http404:
            raise CommandError(_("No union %(code)s in the scope of %(user)s.") % {
                "code": options["org"], "user": actor.user.username}, returncode=UNUSABLE) from None
        path = Path(options["file"])
        try:
            with path.open("rb"):  # readable; the import then streams it from disk (a large roster is never held)
                data = path
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(err)s") % {"file": path, "err": exc.strerror},
                               returncode=UNUSABLE) from None
        progress = self._progress if options["verbosity"] >= 2 else None
        try:
            result = roster.roster_import(actor=actor, union=union, data=data, filename=path.name,
                                          dry_run=options["dry_run"], skip_invalid=options["skip_invalid"],
                                          accept_over_employees=options["accept_over_employees"],
                                          progress=progress)
        except roster.RosterFileError as exc:
            raise CommandError(f"{path}: {exc.messages[0]}", returncode=UNUSABLE) from None
        except PermissionDenied:
            raise CommandError(_("%(user)s may not import members.") % {"user": actor.user.username},
                               returncode=UNUSABLE) from None
        except ValidationError as exc:  # the union takes no members
            raise CommandError("; ".join(exc.messages), returncode=UNUSABLE) from None
        self._finish(result, data, path, options)

    def _progress(self, phase: str, done: int, expected: int) -> None:
        label = _("writing") if phase == "write" else _("checked")
        self.stderr.write(f"{label} {done}/{expected}")

    def _finish(self, result: roster.RosterResult, data: Path, path: Path, options: dict) -> None:
        for p in result.problems:
            where = _("row %(row)s") % {"row": p.row} + (f" {p.column}" if p.column else "")
            value = f" “{p.value}”" if p.value else ""
            self.stderr.write(f"{where}{value}: {p.message}")
        if options["report"] and result.problems:
            Path(options["report"]).write_bytes(roster.problems_report(result, data, path.name))
            self.stdout.write(_("Report written to %(file)s") % {"file": options["report"]})
        counts = {"total": result.total, "created": result.created, "updated": result.updated,
                  "unchanged": result.unchanged, "refused": result.refused}
        if result.fatal:
            raise CommandError(_("%(file)s cannot be imported; nothing was written.") % {"file": path},
                               returncode=UNUSABLE)
        blocked = result.blocked_over_employees and not result.fatal
        if blocked:
            self.stderr.write(result.over_employees_message())
        if result.committed:
            self.stdout.write(self.style.SUCCESS(_(
                "Imported. %(total)s rows in the file: %(created)s added, %(updated)s updated, %(unchanged)s "
                "unchanged, %(refused)s refused.") % counts))
        elif options["dry_run"] and result.ok and not blocked:
            self.stdout.write(self.style.SUCCESS(_(
                "Dry run, nothing written: %(total)s rows, %(created)s to add, %(updated)s to update, "
                "%(unchanged)s unchanged.") % counts))
        if blocked and not result.problems:
            raise CommandError(_("Not imported (more members than employees); nothing was written. Check the "
                                 "roster, or add --accept-over-employees if the figures are right."),
                               returncode=REFUSED)
        if result.problems:
            if result.committed:
                message = _("%(refused)s rows were refused and not imported.") % counts
            else:
                message = _("%(refused)s rows were refused; nothing was written.") % counts
            raise CommandError(message, returncode=REFUSED)


def _actor(username: str | None):
    if not username:
        raise CommandError(_("Say which user the import acts as: --as USERNAME."), returncode=UNUSABLE)
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise CommandError(_("No active user %(user)s.") % {"user": username}, returncode=UNUSABLE)
    actor = actor_for(user)
    if actor.grant is None:
        raise CommandError(_("%(user)s has no grant on an active unit.") % {"user": username},
                           returncode=UNUSABLE)
    return actor

