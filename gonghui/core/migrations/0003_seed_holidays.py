"""Seed the holiday arrangement for every year the chinese_calendar package covers."""

from django.db import migrations

# The package names its holidays in English; the arrangement table keeps the official Chinese names.
NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def seed(apps, schema_editor):
    import chinese_calendar

    HolidayYear = apps.get_model("core", "HolidayYear")
    HolidayDay = apps.get_model("core", "HolidayDay")
    days = {}
    for d, name in chinese_calendar.holidays.items():
        days[d] = HolidayDay(date=d, is_workday=False, name=NAMES.get(str(name), str(name or "")))
    for d, name in chinese_calendar.workdays.items():
        if d.weekday() >= 5:  # a make-up working day (调休)
            days[d] = HolidayDay(date=d, is_workday=True, name=NAMES.get(str(name), str(name or "")) + "调休")
    HolidayDay.objects.bulk_create(days.values(), batch_size=500, ignore_conflicts=True)
    years = sorted({d.year for d in chinese_calendar.holidays})
    HolidayYear.objects.bulk_create(
        [HolidayYear(year=y, source="package", notice="chinese_calendar") for y in years], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_triggers")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
