"""Fairer engagement rules from 2026-12-01 (issue 12), as new dated versions so that the days
already paid keep the rules they were paid under.

Measured with `python manage.py rules_fairness --generated 1000` (README, "Fairness"): under
the first rules the top 1 % of creators took about 0.6 of the share a linear rule would give
them; these versions taper earlier and cap lower, which brings it under half, while a
creator's first points of each kind a day are paid at the same rate as before (small
creators, whose days stay under the taper, earn exactly what they did, plus what the
carried remainders now give them)."""

import datetime

from django.db import migrations

FROM = datetime.date(2026, 12, 1)
# metric: (unit_size, points_per_unit, daily_cap, taper_above, taper_percent)
FAIRER_RULES = {
    "qualified_views": (1000, 2, 150, 40, 20),
    "likes": (100, 1, 60, 20, 20),
    "comments": (20, 1, 30, 15, 40),
    "shares": (10, 1, 30, 15, 40),
}


def add_versions(apps, schema_editor):
    EarningRule = apps.get_model("rewards", "EarningRule")
    for metric, (unit, per_unit, cap, taper_above, taper_percent) in FAIRER_RULES.items():
        EarningRule.objects.get_or_create(
            metric=metric,
            valid_from=FROM,
            defaults={
                "unit_size": unit,
                "points_per_unit": per_unit,
                "daily_cap": cap,
                "taper_above": taper_above,
                "taper_percent": taper_percent,
            },
        )


def remove_versions(apps, schema_editor):
    EarningRule = apps.get_model("rewards", "EarningRule")
    EarningRule.objects.filter(
        valid_from=FROM, metric__in=FAIRER_RULES, entries__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("rewards", "0012_carried_remainders")]

    operations = [migrations.RunPython(add_versions, remove_versions)]
