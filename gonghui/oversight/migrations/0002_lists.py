from django.db import migrations

from gonghui.core.migration_ops import path_collation_c

# The sources and categories a federation starts with (seed 004); administrators edit the lists. A key names the
# entries other apps file problems under.
SOURCES = [
    ("discipline", "纪检监察意见"), ("internal_audit", "内部审计"), ("finance_check", "财务检查"),
    ("petition", "信访反映"), ("field_research", "蹲点调研"), ("complaint", "服务对象投诉"),
    ("funds_audit", "经费审查报告"), ("inspection", "专项检查访谈"), ("suggestion", "意见建议"),
    ("assigned", "上级点题"), ("self_check", "自查"), ("monitoring", "智能监控预警"), ("tip", "作风直通车"),
]
CATEGORIES = [
    ("dining", "违规吃喝"), ("gifts", "违规收送礼品礼金"), ("funds_use", "经费使用不规范"),
    ("formalism", "形式主义官僚主义"), ("inaction", "不担当不作为"), ("conduct", "作风问题"), ("other", "其他"),
]


def fill(apps, schema_editor):
    for model, rows in (("Source", SOURCES), ("Category", CATEGORIES)):
        cls = apps.get_model("oversight", model)
        for i, (key, name) in enumerate(rows, start=1):
            cls.objects.get_or_create(key=key, defaults={"name": name, "order": i * 10})


def empty(apps, schema_editor):
    apps.get_model("oversight", "Source").objects.all().delete()
    apps.get_model("oversight", "Category").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_foundation")]
    operations = [
        migrations.RunPython(fill, empty),
        path_collation_c(("oversight_problem", "org_path", 255), ("oversight_measure", "org_path", 255),
                         ("oversight_department", "org_path", 255)),
    ]
