"""The time-limit table administrators start from: by category and complexity, and the service commitments the
source documents name (union founding 3 working days; legal-person registration with complete papers the same
day; a fund return 5 working days from the remittance slip). The same rows as ``policies.DEFAULT_*``, copied
here so this migration never changes."""

from django.db import migrations

BY_CATEGORY = {
    "consultation": (3, 5, 10),
    "solution": (5, 15, 30),
    "complaint": (5, 15, 30),
    "suggestion": (10, 15, 30),
    "petition": (15, 30, 40),
}
COMMITMENTS = [
    ("union_founding", 3, "建会申请3个工作日内办结"),
    ("legal_person", 0, "法人资格登记材料齐全的当日办结"),
    ("fund_return", 5, "经费返拨自收到缴款回单之日起5个工作日内办结"),
]


def seed(apps, schema_editor):
    Policy = apps.get_model("casework", "TimeLimitPolicy")
    rows = []
    for category, days in BY_CATEGORY.items():
        for complexity, n in zip(("general", "difficult", "complex"), days, strict=True):
            rows.append(Policy(category=category, topic="", complexity=complexity, working_days=n))
    for topic, n, text in COMMITMENTS:
        rows.append(Policy(category="", topic=topic, complexity="general", working_days=n, commitment=text))
    Policy.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    apps.get_model("casework", "TimeLimitPolicy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
