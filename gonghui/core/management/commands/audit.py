from django.core.management.base import BaseCommand, CommandError

from gonghui.core import audit_anchors
from gonghui.core.audit import verify_chain


class Command(BaseCommand):
    help = ("Audit trail tools. `gonghui audit verify` checks the keyed hash chain against the anchors; exits 1 "
            "naming the first broken row. `gonghui audit anchor` writes the chain's head to the anchor file now.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor"])

    def handle(self, *args, action="verify", **opts):
        if action == "anchor":
            anchor = audit_anchors.write(kind="manual")
            if anchor is None:
                raise CommandError("未配置锚点目录（GONGHUI_AUDIT_ANCHOR_DIR），无法写入审计链锚点。", returncode=1)
            self.stdout.write(self.style.SUCCESS(
                f"已写入审计链锚点：第 {anchor.seq} 条，{anchor.hash[:16]}…（{audit_anchors.anchor_file()}）。"))
            return
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"审计链在第 {report.broken_seq} 条记录处断开（audit chain broken at seq {report.broken_seq}）："
                f"{report.reason}；此前 {report.checked} 条完好。", returncode=1)
        anchors = (f"，与 {report.anchors_checked} 个锚点一致" if report.anchors_checked
                   else "；没有可比对的锚点（gonghui audit anchor 可写入一个）")
        self.stdout.write(self.style.SUCCESS(
            f"审计链完好：共 {report.checked} 条记录{anchors}（audit chain intact）。"))
