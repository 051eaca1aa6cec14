from django.db import migrations
from django.utils.text import slugify

NICHES = [
    "Beauty", "Comedy", "Cooking", "Dance", "DIY & crafts", "Education", "Fashion",
    "Finance", "Fitness", "Gaming", "Music", "Parenting", "Pets", "Science & tech",
    "Sports", "Travel",
]


def add_niches(apps, schema_editor):
    Niche = apps.get_model("accounts", "Niche")
    for name in NICHES:
        Niche.objects.get_or_create(slug=slugify(name), defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(add_niches, migrations.RunPython.noop)]
