"""The criteria sets shipped as templates (seed 001's five questions, 德能勤绩廉, 会员评议职工之家), and COLLATE "C" on
the polls' tree paths (PostgreSQL) so a subtree is an index range."""

from django.db import migrations

from gonghui.core.migration_ops import path_collation_c

TEMPLATES = [
    ("党员民主评议五个方面", "competence", [
        "是否具有坚定的共产主义信念",
        "是否坚决贯彻执行党的路线、方针、政策，在政治上同党中央保持高度一致",
        "是否坚持围绕中心，服务大局",
        "是否严守党纪、政纪、国法，做到令行禁止",
        "是否密切联系群众，自觉维护人民群众的利益",
    ]),
    ("干部民主测评（德能勤绩廉）", "competence", ["德", "能", "勤", "绩", "廉"]),
    ("会员评议职工之家", "satisfaction", [
        "工会组织健全、换届及时，会员（代表）大会按期召开",
        "维护职工合法权益，集体协商和厂务公开落实",
        "关心职工生活，困难帮扶和送温暖到位",
        "开展文体活动和职工技能培训",
        "工会经费收缴、使用和公开规范",
        "工会干部作风和联系会员情况",
    ]),
]


def add(apps, schema_editor):
    CriteriaSet = apps.get_model("democracy", "CriteriaSet")
    for name, scale, criteria in TEMPLATES:
        CriteriaSet.objects.get_or_create(name=name, defaults={"scale": scale, "criteria": criteria,
                                                               "builtin": True})


def remove(apps, schema_editor):
    apps.get_model("democracy", "CriteriaSet").objects.filter(builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [("democracy", "0001_polls")]

    operations = [
        migrations.RunPython(add, remove),
        path_collation_c(("democracy_poll", "org_path", 255)),
    ]
