from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("gifts", "0004_schedule"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="giftsent",
            index=models.Index(
                condition=models.Q(
                    ("earnings_entry__isnull", True),
                    ("list_value_minor__gt", 0),
                    ("reversed_at__isnull", True),
                ),
                fields=["creator", "id"],
                name="gifts_sent_unposted",
            ),
        ),
    ]
