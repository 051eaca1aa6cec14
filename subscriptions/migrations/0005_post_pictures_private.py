from django.core.files.storage import storages
from django.db import migrations, models

import subscriptions.models


def move_pictures(apps, schema_editor):
    # Pictures already uploaded move from MEDIA_ROOT (public under MEDIA_URL) to the private
    # storage, under the same names.
    Post = apps.get_model("subscriptions", "Post")
    public, private = storages["default"], storages["private"]
    for name in Post.objects.exclude(image="").values_list("image", flat=True):
        if public.exists(name) and not private.exists(name):
            with public.open(name, "rb") as picture:
                private.save(name, picture)
            public.delete(name)


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
        migrations.RunPython(move_pictures, migrations.RunPython.noop, elidable=True),
    ]
