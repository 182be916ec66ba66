"""`gonghui funds`: import a union's journal, scan the books with the spending rules.

    gonghui funds ledger import FILE --org CODE --year YEAR --as USER [--dry-run] [--report OUT.xlsx]
    gonghui funds scan --org CODE --year YEAR --as USER [--json]

Both act as the user (their first grant), with the same scope and checks as the screens, in this process.
``ledger import`` exits as the roster import does: 0 imported (or a clean dry run), 1 rows refused (nothing
written), 2 the file, the user, the union or the permission does not allow the import at all.
"""

from django.core.management.base import BaseCommand

from gonghui.funds import cli_ledger, cli_scan


class Command(BaseCommand):
    help = "Union funds: import a journal (序时账) into a union's books; scan the books with the spending rules."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="area", required=True, metavar="{ledger,scan}")
        ledger = sub.add_parser("ledger", help="the books")
        ledger_sub = ledger.add_subparsers(dest="action", required=True, metavar="{import}")
        imp = ledger_sub.add_parser("import", help="import a journal exported by the accounting software")
        imp.add_argument("file", help="the spreadsheet (xlsx, xls or csv)")
        imp.add_argument("--org", required=True, help="code of the union whose books these are")
        imp.add_argument("--year", required=True, type=int, help="the year of the books")
        imp.add_argument("--as", dest="username", help="act as this user (their first grant); required")
        imp.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        imp.add_argument("--report", help="write the refused rows with their problems to this xlsx file")
        scan = sub.add_parser("scan", help="run the spending rules over a subtree's books for a year")
        scan.add_argument("--org", required=True, help="code of the union or federation whose subtree to scan")
        scan.add_argument("--year", required=True, type=int, help="the year to scan")
        scan.add_argument("--as", dest="username", help="act as this user (their first grant); required")
        scan.add_argument("--json", action="store_true", help="print every flagged line as a JSON array")

    def handle(self, *args, area: str, **options) -> None:
        if area == "ledger":
            cli_ledger.handle_import(self, **options)
        else:
            cli_scan.handle_scan(self, **options)
