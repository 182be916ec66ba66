from django.core.management.base import BaseCommand, CommandError

from gonghui.core.audit import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. `gonghui audit verify` checks the hash chain; exits 1 naming the first broken row."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **opts):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"审计链在第 {report.broken_seq} 条记录处断开（audit chain broken at seq {report.broken_seq}）："
                f"{report.reason}；此前 {report.checked} 条完好。", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"审计链完好：共 {report.checked} 条记录（audit chain intact）。"))
