from django.core.files.storage import storages
from django.db import migrations, models

import subscriptions.models


def _move(apps, source: str, target: str) -> None:
    Post = apps.get_model("subscriptions", "Post")
    here, there = storages[source], storages[target]
    for name in Post.objects.exclude(image="").values_list("image", flat=True):
        if not here.exists(name):
            continue
        if not there.exists(name):  # else an interrupted run copied it already
            with here.open(name, "rb") as picture:
                there.save(name, picture)
        here.delete(name)


def move_pictures(apps, schema_editor):
    # Pictures already uploaded move from MEDIA_ROOT (public under MEDIA_URL) to the private
    # storage, under the same names.
    _move(apps, "default", "private")


def move_pictures_back(apps, schema_editor):
    _move(apps, "private", "default")


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0004_post_teaser")]

    operations = [
        migrations.AlterField(
            model_name="post",
            name="image",
            field=models.ImageField(
                blank=True, storage=subscriptions.models.private_storage, upload_to="posts/"
            ),
        ),
        migrations.RunPython(move_pictures, move_pictures_back, elidable=True),
    ]
