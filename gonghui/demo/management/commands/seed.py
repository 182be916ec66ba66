import logging

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from gonghui.core import audit_anchors
from gonghui.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed
from gonghui.orgs.models import Org


class Command(BaseCommand):
    help = "Seed the demo federation (deterministic for a given --seed). Refused under production settings."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
        parser.add_argument("--per-township", type=int, default=14, help="grassroots unions per township")
        parser.add_argument("--members", type=int, default=None,
                            help="members spread over the unions by size (default: 80-98%% of each union's employees)")
        parser.add_argument("--activity", type=float, default=1.0,
                            help="how busy the played year is (1: an ordinary year; 0: the unions and members only)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database has data")
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")

    def handle(self, *args, **opts):
        if opts["logins"]:
            self._print_logins()
            return
        if Org.objects.exists():
            if opts["if_empty"]:
                self.stdout.write("数据库已有数据，跳过演示数据生成。")
                self._print_logins()
                return
            raise CommandError("The database already holds organizations; seed an empty database.")
        if not 0 <= opts["activity"] <= 10:
            raise CommandError("--activity 应在 0 到 10 之间（1 为普通的一年，0 不生成这一年的业务）。")
        try:
            # The messages to the fictional workers still reach var/notify/, but not this command's output.
            with _quiet("gonghui.notify"):
                counts = seed(seed=opts["seed"], per_township=opts["per_township"], members=opts["members"],
                              activity=opts["activity"])
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        audit_anchors.write(kind="seed")  # a new history: the anchors of an earlier demo database stop applying
        self.stdout.write(self.style.SUCCESS(
            f"演示数据已生成：组织 {counts['orgs']} 个，会员 {counts['members']} 人，诉求 {counts['cases']} 件，"
            f"用户 {counts['users']} 个。"))
        played = counts.get("year", {})
        if "applications" in played:
            self.stdout.write(
                f"近 12 个月的业务：诉求 {played['cases']} 件，入会申请 {played['applications']} 份，"
                f"新入职会员导入 {played['imports']} 人，转会 {played['transfers']} 次，"
                f"服务卡激活 {played['activations']} 张，全号导出申请 {played['approvals']} 份。")
        funds = counts.get("funds")
        if funds:
            self.stdout.write(
                f"经费：账簿 {funds['books'].get('books', 0)} 本，凭证 {funds['books'].get('vouchers', 0)} 张，"
                f"预算 {funds['budget'].get('budgets', 0)} 份，经费返拨 {funds['income'].get('returns', 0)} 笔，"
                f"智能监控预警 {funds['alerts']} 条。")
        self._print_logins()

    def _print_logins(self):
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for u in DEMO_USERS:
            self.stdout.write(f"  {u.username:<12} {u.name:<10} {u.what}")
        self.stdout.write("演示环境未要求双因素认证（两步验证）；安全管理员可在“安全设置”中开启，生产环境默认开启。")


class _quiet:
    """Raises a logger to WARNING for the duration of a block."""

    def __init__(self, name: str):
        self.logger = logging.getLogger(name)

    def __enter__(self):
        self.level = self.logger.level
        self.logger.setLevel(logging.WARNING)

    def __exit__(self, *exc):
        self.logger.setLevel(self.level)
