from django.db import migrations, models


def fill_teasers(apps, schema_editor):
    # The teaser is computed from the Markdown when a post is published or changed; existing
    # posts get theirs here, by the same function.
    from core.markdown import teaser

    Post = apps.get_model("subscriptions", "Post")
    for post in Post.objects.only("pk", "body").iterator(chunk_size=500):
        Post.objects.filter(pk=post.pk).update(teaser=teaser(post.body))


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0003_rules_row")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="teaser",
            field=models.CharField(db_default="", editable=False, max_length=160),
        ),
        migrations.RunPython(fill_teasers, migrations.RunPython.noop, elidable=True),
    ]
