"""`gonghui funds ledger import`: see the command's docstring (gonghui/funds/management/commands/funds.py).

Exit codes as ``gonghui members import``: 0 imported (or a clean dry run); 1 rows refused (nothing written; the
report, when asked for, is written); 2 the file cannot be used (unreadable, no header row, a required column
missing), or the user, the union or the permission does not allow the import at all.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from gonghui.core.access import actor_for
from gonghui.orgs.selectors import org_get

from . import journal

REFUSED = 1
UNUSABLE = 2


def handle_import(command, **options) -> None:
    actor = _actor(options.get("username"))
    if not actor.can("funds.write"):
        raise CommandError(_("%(user)s may not import books.") % {"user": actor.user.username}, returncode=UNUSABLE)
    try:
        union = org_get(actor=actor, code=options["org"].strip().upper())
    except Http404:
        raise CommandError(_("No union %(code)s in the scope of %(user)s.") % {
            "code": options["org"], "user": actor.user.username}, returncode=UNUSABLE) from None
    path = Path(options["file"])
    try:
        with path.open("rb"):
            data = path  # streamed from disk by the import, never held whole
    except OSError as exc:
        raise CommandError(_("Cannot read %(file)s: %(err)s") % {"file": path, "err": exc.strerror},
                           returncode=UNUSABLE) from None
    progress = _progress(command) if options.get("verbosity", 1) >= 2 else None
    try:
        result = journal.journal_import(actor=actor, org=union, year=options["year"], data=data, filename=path.name,
                                        dry_run=options.get("dry_run", False), progress=progress)
    except journal.JournalFileError as exc:
        raise CommandError(f"{path}: {exc.messages[0]}", returncode=UNUSABLE) from None
    except PermissionDenied:
        raise CommandError(_("%(user)s may not import books.") % {"user": actor.user.username},
                           returncode=UNUSABLE) from None
    except Http404:
        raise CommandError(_("No union %(code)s in the scope of %(user)s.") % {
            "code": options["org"], "user": actor.user.username}, returncode=UNUSABLE) from None
    _finish(command, result, data, path, options)


def _progress(command):
    def report(phase: str, done: int, expected: int) -> None:
        label = _("writing") if phase == "write" else _("checked")
        command.stderr.write(f"{label} {done}")
    return report


def _finish(command, result: journal.JournalResult, data: Path, path: Path, options: dict) -> None:
    for p in result.problems:
        where = _("row %(row)s") % {"row": p.row}
        if p.sheet:
            where = _("sheet %(sheet)s") % {"sheet": p.sheet} + " " + where
        where += f" {p.column}" if p.column else ""
        value = f" “{p.value}”" if p.value else ""
        command.stderr.write(f"{where}{value}: {p.message}")
    if options.get("report") and result.problems:
        Path(options["report"]).write_bytes(journal.problems_report(result, data, path.name))
        command.stdout.write(_("Report written to %(file)s") % {"file": options["report"]})
    if result.fatal:
        raise CommandError(_("%(file)s cannot be imported; nothing was written.") % {"file": path},
                           returncode=UNUSABLE)
    counts = {"vouchers": result.vouchers, "lines": result.lines, "accounts": len(result.created_accounts),
              "budget": result.budget_lines, "year": result.year, "union": result.org_code,
              "amount": f"{result.debit_total:,.2f}"}
    if result.problems:
        raise CommandError(_("%(refused)s rows were refused; nothing was written.") % {"refused": result.refused},
                           returncode=REFUSED)
    if result.committed:
        command.stdout.write(command.style.SUCCESS(_(
            "Imported into the books of %(union)s for %(year)s: %(vouchers)s vouchers, %(lines)s lines (debits "
            "%(amount)s), %(accounts)s sub-accounts created, %(budget)s budget lines.") % counts))
    else:
        command.stdout.write(command.style.SUCCESS(_(
            "Dry run, nothing written: %(vouchers)s vouchers, %(lines)s lines (debits %(amount)s), %(accounts)s "
            "sub-accounts to create, %(budget)s budget lines.") % counts))
    for account in result.created_accounts:
        command.stdout.write("  + " + account)


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
