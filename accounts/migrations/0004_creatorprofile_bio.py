from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="creatorprofile",
            name="bio",
            field=models.TextField(
                blank=True, db_default="", help_text="Shown on your public page.", max_length=500
            ),
        ),
    ]
