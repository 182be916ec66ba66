"""`gonghui orgs`: import unions from a spreadsheet, or export a user's tree in the same format.

    gonghui orgs import unions.xlsx --as zhangsan [--dry-run] [--report problems.xlsx]
    gonghui orgs export --as zhangsan tree.xlsx [--reveal-phones]

The command acts as the user through their first grant, with the same scope and checks as the screens.
Exit codes of import: 0 imported (or a clean dry run), 1 rows were refused (nothing written), 2 the file,
the user or the permission does not allow an import at all.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gonghui.core.access import actor_for
from gonghui.orgs import importer, sheets

REFUSED = 1
UNUSABLE = 2


class Command(BaseCommand):
    help = ("Import unions from a spreadsheet (all or nothing), or export the tree under a user's unit "
            "in the import format.")

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import,export}")
        imp = sub.add_parser("import", help="import unions from an xlsx, xls, ods or csv file")
        imp.add_argument("file", help="the spreadsheet")
        imp.add_argument("--as", dest="username", required=True, help="act as this user (their first grant)")
        imp.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        imp.add_argument("--report", help="write the rows with their problems to this xlsx file")
        exp = sub.add_parser("export", help="export the user's tree to an xlsx file in the import format")
        exp.add_argument("out", help="the xlsx file to write")
        exp.add_argument("--as", dest="username", required=True, help="act as this user (their first grant)")
        exp.add_argument("--reveal-phones", action="store_true",
                         help="write contact phones in clear (needs the reveal permission; recorded)")

    def handle(self, *args, action: str, username: str, **options) -> None:
        actor = _actor(username)
        if action == "export":
            self._export(actor, Path(options["out"]), options["reveal_phones"])
        else:
            self._import(actor, Path(options["file"]), options["dry_run"], options.get("report"))

    def _import(self, actor, path: Path, dry_run: bool, report: str | None) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(err)s") % {"file": path, "err": exc.strerror},
                               returncode=UNUSABLE) from None
        try:
            result = importer.org_import(actor=actor, data=data, filename=path.name, dry_run=dry_run)
        except importer.ImportFileError as exc:
            raise CommandError(f"{path}: {exc.messages[0]}", returncode=UNUSABLE) from None
        except PermissionDenied:
            raise CommandError(_("%(user)s may not import unions.") % {"user": actor.user.username},
                               returncode=UNUSABLE) from None
        counts = _("%(total)s rows: %(created)s to add, %(updated)s to update, %(unchanged)s unchanged.") % {
            "total": result.total, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged}
        if result.ok:
            if report:
                self._write_report(result, data, path, report)
            done = _("Dry run, nothing written") if dry_run else _("Imported")
            self.stdout.write(self.style.SUCCESS(f"{done}: {counts}"))
            return
        for p in result.problems:
            where = _("row %(row)s") % {"row": p.row} + (f" {p.column}" if p.column else "")
            value = f" “{p.value}”" if p.value else ""
            self.stderr.write(f"{where}{value}: {p.message}")
        if report:
            self._write_report(result, data, path, report)
        raise CommandError(_("%(n)s problems in %(rows)s rows; nothing was written.") % {
            "n": len(result.problems), "rows": result.problem_rows}, returncode=REFUSED)

    def _write_report(self, result, data: bytes, path: Path, report: str) -> None:
        content = sheets.problems_report(result, importer.read_sheet(data, path.name))
        Path(report).write_bytes(content)
        self.stdout.write(_("Report written to %(file)s") % {"file": report})

    def _export(self, actor, out: Path, reveal_phones: bool) -> None:
        try:
            content = sheets.export_xlsx(actor=actor, reveal_phones=reveal_phones)
        except PermissionDenied as exc:
            raise CommandError(_("%(user)s may not export this (%(perm)s).") % {
                "user": actor.user.username, "perm": exc}, returncode=UNUSABLE) from None
        try:
            out.write_bytes(content)
        except OSError as exc:
            raise CommandError(_("Cannot write %(file)s: %(err)s") % {"file": out, "err": exc.strerror},
                               returncode=UNUSABLE) from None
        self.stdout.write(self.style.SUCCESS(_("Exported to %(file)s") % {"file": out}))


def _actor(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise CommandError(_("No active user %(user)s.") % {"user": username}, returncode=UNUSABLE)
    actor = actor_for(user)
    if actor.grant is None:
        raise CommandError(_("%(user)s has no grant on an active unit.") % {"user": username},
                           returncode=UNUSABLE)
    return actor
