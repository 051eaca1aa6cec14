"""Each creator's enrolment in the loyalty program: the day their points account opened.

Accounts opened before this migration never recorded that day; the best evidence left is the
rewards day of their first entry (the recalculation opens an account with its first points),
or, for an account with no entry, the day the creator signed up. Creators from before the
program's launch count from LOYALTY_LAUNCH_DATE where the date is read, not here."""

from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate

import rewards.models.ledger


def backfill(apps, schema_editor):
    PointsAccount = apps.get_model("rewards", "PointsAccount")
    PointsEntry = apps.get_model("rewards", "PointsEntry")
    CreatorProfile = apps.get_model("accounts", "CreatorProfile")
    first_entry = (
        PointsEntry.objects.filter(account_id=OuterRef("pk"), activity_date__isnull=False)
        .order_by()
        .values("account_id")
        .annotate(first=Min("activity_date"))
        .values("first")
    )
    signed_up = CreatorProfile.objects.filter(pk=OuterRef("pk")).values(day=TruncDate("created_at"))
    # One UPDATE for every account, whatever their number (an UPDATE cannot join, hence the
    # second subquery).
    PointsAccount.objects.update(
        enrolled_on=Coalesce(
            Subquery(first_entry, output_field=models.DateField()),
            Subquery(signed_up, output_field=models.DateField()),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_notifications"),
        ("rewards", "0017_program_carried"),
    ]

    operations = [
        migrations.AddField(
            model_name="pointsaccount",
            name="enrolled_on",
            field=models.DateField(db_default=rewards.models.ledger.CurrentDate()),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
