"""The built-in entries of the problem sources and categories (seed 004), each under the key other apps file
problems by. Migration 0002 wrote them; ``lists_seed_defaults`` puts back any that is missing (a database emptied
since its migration), leaving renamed or reordered entries as administrators left them."""

from .models import Category, Source

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


def lists_seed_defaults() -> int:
    """Create the built-in entries that are missing; returns how many were created."""
    created = 0
    for model, rows in ((Source, SOURCES), (Category, CATEGORIES)):
        have = set(model.objects.values_list("key", flat=True))
        names = set(model.objects.values_list("name", flat=True))
        for i, (key, name) in enumerate(rows, start=1):
            if key not in have:
                model.objects.create(key=key, name=name if name not in names else f"{name}（{key}）", order=i * 10)
                created += 1
    return created
