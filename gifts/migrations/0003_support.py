import datetime

import django.core.validators
import django.db.models.deletion
import django.db.models.expressions
import django.db.models.lookups
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def first_rate(apps, schema_editor):
    """Gifts work from the start: 100 coins become 50 Diamonds worth 0.25 (list value 1.00)."""
    DiamondRate = apps.get_model("gifts", "DiamondRate")
    DiamondRate.objects.get_or_create(
        effective_from=datetime.date(2026, 1, 1),
        defaults={
            "currency": "USD",
            "diamonds_per_100_coins": 50,
            "diamond_value_minor_per_100": 50,
            "coin_value_minor_per_100": 100,
        },
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_badge_creatorbadge'),
        ('activity', '0003_record_id_constraints_fewer_indexes'),
        ('gifts', '0002_coin_packs'),
        ('payments', '0006_savedcard_forgotten_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CreatorSupport',
            fields=[
                ('creator', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='support', serialize=False, to='accounts.creatorprofile')),
                ('accepts', models.BooleanField(default=False)),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.CreateModel(
            name='DiamondRate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('effective_from', models.DateField(unique=True)),
                ('currency', models.CharField(default='USD', max_length=3)),
                ('diamonds_per_100_coins', models.PositiveIntegerField(default=50)),
                ('diamond_value_minor_per_100', models.PositiveIntegerField(default=50, help_text='In minor units (cents) of the currency.', verbose_name='value of 100 Diamonds')),
                ('coin_value_minor_per_100', models.PositiveIntegerField(default=100, help_text='In minor units (cents): what fans pay for coins, for the fee line.', verbose_name='list value of 100 coins')),
            ],
            options={
                'ordering': ['-effective_from'],
                'get_latest_by': 'effective_from',
            },
        ),
        migrations.CreateModel(
            name='Gift',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=40)),
                ('coins', models.PositiveIntegerField()),
                ('image', models.ImageField(upload_to='gifts/')),
                ('is_active', models.BooleanField(default=True, verbose_name='offered')),
                ('position', models.PositiveSmallIntegerField(default=0)),
            ],
            options={
                'ordering': ['position', 'coins', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='GiftSent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('coins', models.PositiveIntegerField()),
                ('diamonds', models.PositiveIntegerField()),
                ('currency', models.CharField(max_length=3)),
                ('list_value_minor', models.PositiveIntegerField(help_text="The coins' list value.")),
                ('creator_value_minor', models.PositiveIntegerField(help_text='What the Diamonds pay.')),
                ('message', models.CharField(blank=True, max_length=150)),
                ('anonymous', models.BooleanField(default=False, help_text='Hidden from other fans.')),
                ('hidden_at', models.DateTimeField(blank=True, help_text='Hidden by the creator.', null=True)),
                ('request_key', models.CharField(max_length=120, unique=True)),
                ('reversed_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
            ],
            options={
                'verbose_name_plural': 'gifts sent',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='SupportBlock',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='SupporterConsent',
            fields=[
                ('fan', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='supporter_consent', serialize=False, to=settings.AUTH_USER_MODEL)),
                ('show_in_top_supporters', models.BooleanField(default=False)),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.CreateModel(
            name='SupportRules',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('min_age', models.PositiveSmallIntegerField(default=18, help_text='Never below 18: minors never receive money from fans.', validators=[django.core.validators.MinValueValidator(18)])),
                ('needs_good_standing', models.BooleanField(default=True)),
                ('min_followers', models.PositiveIntegerField(default=1000)),
                ('tip_currency', models.CharField(default='USD', max_length=3)),
                ('tip_min_minor', models.PositiveIntegerField(default=100, help_text='In minor units (cents).', verbose_name='smallest tip')),
                ('tip_max_minor', models.PositiveIntegerField(default=50000, help_text='In minor units (cents).', verbose_name='largest tip')),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'verbose_name': 'support rules',
                'verbose_name_plural': 'support rules',
            },
        ),
        migrations.CreateModel(
            name='Tip',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount_minor', models.PositiveIntegerField()),
                ('currency', models.CharField(max_length=3)),
                ('share_pct', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)])),
                ('creator_share_minor', models.PositiveIntegerField()),
                ('fee_minor', models.PositiveIntegerField()),
                ('message', models.CharField(blank=True, max_length=150)),
                ('anonymous', models.BooleanField(default=False, help_text='Hidden from other fans.')),
                ('hidden_at', models.DateTimeField(blank=True, help_text='Hidden by the creator.', null=True)),
                ('state', models.CharField(choices=[('pending', 'Pending'), ('paid', 'Paid'), ('failed', 'Failed')], default='pending', max_length=10)),
                ('request_key', models.CharField(max_length=120, unique=True)),
                ('failure', models.CharField(blank=True, max_length=300)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='coinpurchase',
            name='gifts_purchase_credited_when_paid',
        ),
        migrations.AddField(
            model_name='coinpurchase',
            name='refund_note',
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AlterField(
            model_name='coinpurchase',
            name='state',
            field=models.CharField(choices=[('pending', 'Pending'), ('paid', 'Paid'), ('failed', 'Failed'), ('refunded', 'Refunded')], default='pending', max_length=10),
        ),
        migrations.AddConstraint(
            model_name='coinpurchase',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('coin_entry__isnull', False), ('state__in', ['paid', 'refunded'])), models.Q(('state__in', ['pending', 'failed']), ('coin_entry__isnull', True)), _connector='OR'), name='gifts_purchase_credited_when_paid'),
        ),
        migrations.AddConstraint(
            model_name='diamondrate',
            constraint=models.CheckConstraint(condition=models.Q(('coin_value_minor_per_100__gt', 0), ('diamonds_per_100_coins__gt', 0)), name='gifts_rate_positive'),
        ),
        migrations.AddConstraint(
            model_name='diamondrate',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.GreaterThanOrEqual(django.db.models.expressions.CombinedExpression(models.F('coin_value_minor_per_100'), '*', models.Value(100)), django.db.models.expressions.CombinedExpression(models.F('diamonds_per_100_coins'), '*', models.F('diamond_value_minor_per_100'))), name='gifts_rate_fee_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='diamondrate',
            constraint=models.CheckConstraint(condition=models.Q(('currency__regex', '^[A-Z]{3}$')), name='gifts_rate_currency'),
        ),
        migrations.AddConstraint(
            model_name='gift',
            constraint=models.CheckConstraint(condition=models.Q(('coins__gt', 0)), name='gifts_gift_coins'),
        ),
        migrations.AddField(
            model_name='giftsent',
            name='coin_entry',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='gifts.coinentry'),
        ),
        migrations.AddField(
            model_name='giftsent',
            name='creator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='gifts_received', to='accounts.creatorprofile'),
        ),
        migrations.AddField(
            model_name='giftsent',
            name='earnings_entry',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='payments.earningsentry'),
        ),
        migrations.AddField(
            model_name='giftsent',
            name='fan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='gifts_sent', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='giftsent',
            name='gift',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='gifts.gift'),
        ),
        migrations.AddField(
            model_name='giftsent',
            name='live',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='activity.livesession'),
        ),
        migrations.AddField(
            model_name='giftsent',
            name='rate',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='gifts.diamondrate'),
        ),
        migrations.AddField(
            model_name='giftsent',
            name='video',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='activity.video'),
        ),
        migrations.AddField(
            model_name='supportblock',
            name='creator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.creatorprofile'),
        ),
        migrations.AddField(
            model_name='supportblock',
            name='fan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='supportrules',
            constraint=models.CheckConstraint(condition=models.Q(('min_age__gte', 18)), name='gifts_rules_no_minors'),
        ),
        migrations.AddConstraint(
            model_name='supportrules',
            constraint=models.CheckConstraint(condition=models.Q(('tip_max_minor__gte', models.F('tip_min_minor')), ('tip_min_minor__gt', 0)), name='gifts_rules_tip_bounds'),
        ),
        migrations.AddConstraint(
            model_name='supportrules',
            constraint=models.CheckConstraint(condition=models.Q(('tip_currency__regex', '^[A-Z]{3}$')), name='gifts_rules_currency'),
        ),
        migrations.AddField(
            model_name='tip',
            name='attempt',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='payments.paymentattempt'),
        ),
        migrations.AddField(
            model_name='tip',
            name='card',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='payments.savedcard'),
        ),
        migrations.AddField(
            model_name='tip',
            name='creator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tips_received', to='accounts.creatorprofile'),
        ),
        migrations.AddField(
            model_name='tip',
            name='earnings_entry',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='payments.earningsentry'),
        ),
        migrations.AddField(
            model_name='tip',
            name='fan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tips_sent', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='giftsent',
            index=models.Index(fields=['creator', '-created_at'], name='gifts_sent_creator_recent'),
        ),
        migrations.AddIndex(
            model_name='giftsent',
            index=models.Index(fields=['fan', '-created_at'], name='gifts_sent_fan_recent'),
        ),
        migrations.AddConstraint(
            model_name='giftsent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('live__isnull', True), ('video__isnull', False)), models.Q(('live__isnull', False), ('video__isnull', True)), _connector='OR'), name='gifts_sent_on_video_or_live'),
        ),
        migrations.AddConstraint(
            model_name='giftsent',
            constraint=models.CheckConstraint(condition=models.Q(('coins__gt', 0)), name='gifts_sent_coins'),
        ),
        migrations.AddConstraint(
            model_name='supportblock',
            constraint=models.UniqueConstraint(fields=('creator', 'fan'), name='gifts_block_once'),
        ),
        migrations.AddIndex(
            model_name='tip',
            index=models.Index(fields=['creator', '-created_at'], name='gifts_tip_creator_recent'),
        ),
        migrations.AddConstraint(
            model_name='tip',
            constraint=models.CheckConstraint(condition=models.Q(('amount_minor__gt', 0)), name='gifts_tip_amount'),
        ),
        migrations.AddConstraint(
            model_name='tip',
            constraint=models.CheckConstraint(condition=models.Q(('creator_share_minor__lte', models.F('amount_minor')), ('fee_minor', django.db.models.expressions.CombinedExpression(models.F('amount_minor'), '-', models.F('creator_share_minor')))), name='gifts_tip_share_adds_up'),
        ),
        migrations.AddConstraint(
            model_name='tip',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('earnings_entry__isnull', False), ('state', 'paid')), models.Q(models.Q(('state', 'paid'), _negated=True), ('earnings_entry__isnull', True)), _connector='OR'), name='gifts_tip_credited_when_paid'),
        ),
        migrations.RunPython(first_rate, migrations.RunPython.noop),
    ]
