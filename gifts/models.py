"""Fan support: the coin ledger (one account per fan and its append-only entries), the gift
catalog and the Diamond rates staff set, gifts sent and tips paid, and the creators' choices.

Fans buy coins (a purchase) and spend them on gifts. A fan's `balance` always equals the sum
of their entries (`check_ledger` verifies it) and a constraint keeps it at zero or above. A
gift becomes Diamonds for the creator at the rate of its day, and money on the creator's
earnings ledger (payments), pending for a holding period; a tip is money at once, less the
platform fee, pending likewise.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from accounts.models import CreatorProfile, Role, User
from activity.models import LiveSession, Video
from core.money import format_minor
from payments.models import EarningsEntry, PaymentAttempt, SavedCard

# Whatever staff set, nobody younger receives money from fans (DESIGN.md: no payments to
# minors); the database refuses a lower rule too.
YOUNGEST_RECIPIENT = 18


class CoinAccount(models.Model):
    """A fan's coins, kept in step with their entries by `gifts.services`."""

    # The fan's id is the account's: a fan's entries are read with no join.
    fan = models.OneToOneField(
        User,
        on_delete=models.PROTECT,
        related_name="coin_account",
        primary_key=True,
        limit_choices_to={"role": Role.FAN},
    )
    balance = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="gifts_balance_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.fan}: {self.balance:,} coins"


class CoinReason(models.TextChoices):
    PURCHASE = "purchase", "Coin pack bought"
    GIFT_SENT = "gift_sent", "Gift sent"
    PURCHASE_REVERSED = "purchase_reversed", "Coin pack refunded or charge failed"
    ADJUSTED = "adjusted", "Adjusted by staff"


# Which way each reason may move coins (an adjustment goes either way).
CREDIT_REASONS = (CoinReason.PURCHASE, CoinReason.ADJUSTED)
DEBIT_REASONS = (CoinReason.GIFT_SENT, CoinReason.PURCHASE_REVERSED, CoinReason.ADJUSTED)


class CoinEntry(models.Model):
    """One movement of coins. Append-only: never updated or deleted (a PostgreSQL trigger
    refuses both); a mistake is mended by a reversing entry."""

    account = models.ForeignKey(CoinAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(help_text="Coins; negative takes coins out.")
    reason = models.CharField(max_length=20, choices=CoinReason.choices)
    # What the coins came from or went to, as "<app>.<model>:<id>" (a purchase, a gift sent).
    document = models.CharField(max_length=120, blank=True)
    memo = models.CharField(max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "coin entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="gifts_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+,} coins ({self.get_reason_display().lower()})"


class CoinPack(models.Model):
    """Coins fans can buy, at a price staff set per currency."""

    name = models.CharField(max_length=80)
    coins = models.PositiveIntegerField()
    price_minor = models.PositiveIntegerField("price", help_text="In minor units (cents).")
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code, e.g. USD.")
    is_active = models.BooleanField("offered", default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["currency", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(coins__gt=0), name="gifts_pack_coins"),
            models.CheckConstraint(condition=Q(price_minor__gt=0), name="gifts_pack_price"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="gifts_pack_currency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.coins:,} coins, {self.price_display})"

    @property
    def price_display(self) -> str:
        return format_minor(self.price_minor, self.currency)


class PurchaseState(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    REFUNDED = "refunded", "Refunded"


class CoinPurchase(models.Model):
    """A fan buying a pack: recorded before the card is charged, with the pack's coins and
    price as they were then, and the coin entry it credited once paid."""

    fan = models.ForeignKey(User, on_delete=models.PROTECT, related_name="coin_purchases")
    pack = models.ForeignKey(CoinPack, on_delete=models.PROTECT, related_name="purchases")
    coins = models.PositiveIntegerField()
    price_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    card = models.ForeignKey(SavedCard, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=10, choices=PurchaseState.choices, default=PurchaseState.PENDING
    )
    request_key = models.CharField(max_length=120, unique=True)
    failure = models.CharField(max_length=300, blank=True)
    coin_entry = models.ForeignKey(
        CoinEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What a refund did, in words the fan reads in their coin history.
    refund_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(coins__gt=0), name="gifts_purchase_coins"),
            models.CheckConstraint(condition=Q(price_minor__gt=0), name="gifts_purchase_price"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="gifts_purchase_currency"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["paid", "refunded"], coin_entry__isnull=False)
                | (Q(state__in=["pending", "failed"]) & Q(coin_entry__isnull=True)),
                name="gifts_purchase_credited_when_paid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fan}: {self.coins:,} coins for {self.price_display} ({self.state})"

    @property
    def price_display(self) -> str:
        return format_minor(self.price_minor, self.currency)


# --- who may receive support ------------------------------------------------------------------


class SupportRules(models.Model):
    """Who may receive tips and gifts, and the bounds of a tip: one row, edited by staff in
    admin (gifts.selectors.rules reads it; until staff save one, the defaults below apply)."""

    min_age = models.PositiveSmallIntegerField(
        default=YOUNGEST_RECIPIENT,
        validators=[MinValueValidator(YOUNGEST_RECIPIENT)],
        help_text=f"Never below {YOUNGEST_RECIPIENT}: minors never receive money from fans.",
    )
    needs_good_standing = models.BooleanField(default=True)
    min_followers = models.PositiveIntegerField(default=1_000)
    tip_currency = models.CharField(max_length=3, default="USD")
    tip_min_minor = models.PositiveIntegerField(
        "smallest tip", default=100, help_text="In minor units (cents)."
    )
    tip_max_minor = models.PositiveIntegerField(
        "largest tip", default=50_000, help_text="In minor units (cents)."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "support rules"
        verbose_name_plural = "support rules"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__gte=YOUNGEST_RECIPIENT), name="gifts_rules_no_minors"
            ),
            models.CheckConstraint(
                condition=Q(tip_min_minor__gt=0, tip_max_minor__gte=models.F("tip_min_minor")),
                name="gifts_rules_tip_bounds",
            ),
            models.CheckConstraint(
                condition=Q(tip_currency__regex=r"^[A-Z]{3}$"), name="gifts_rules_currency"
            ),
        ]

    def __str__(self) -> str:
        return "Support rules"


class CreatorSupport(models.Model):
    """A creator's own choice to receive tips and gifts (eligibility is the rules')."""

    creator = models.OneToOneField(
        CreatorProfile, on_delete=models.CASCADE, primary_key=True, related_name="support"
    )
    accepts = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.creator}: {'accepts' if self.accepts else 'does not accept'} support"


class SupportBlock(models.Model):
    """A fan the creator stopped from sending them tips and gifts."""

    creator = models.ForeignKey(CreatorProfile, on_delete=models.CASCADE, related_name="+")
    fan = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["creator", "fan"], name="gifts_block_once")]

    def __str__(self) -> str:
        return f"{self.fan} blocked by {self.creator}"


class SupporterConsent(models.Model):
    """Whether a fan agrees to be named among creators' top supporters (off until they say)."""

    fan = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="supporter_consent"
    )
    show_in_top_supporters = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.fan}: {'shown' if self.show_in_top_supporters else 'not shown'}"


# --- gifts and Diamonds -----------------------------------------------------------------------


class Gift(models.Model):
    """A gift in the catalog: a picture and its price in coins, staff-edited."""

    name = models.CharField(max_length=40)
    coins = models.PositiveIntegerField()
    image = models.ImageField(upload_to="gifts/")
    is_active = models.BooleanField("offered", default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "coins", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(coins__gt=0), name="gifts_gift_coins"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.coins:,} coins)"


class DiamondRate(models.Model):
    """What coins are worth, from a day on: how many Diamonds a gift's coins become, what a
    Diamond pays the creator, and the coins' list value (what the fan paid, near enough) so
    the statement shows the platform's fee per gift. A new rate is a new row; gifts keep the
    rate of their day."""

    effective_from = models.DateField(unique=True)
    currency = models.CharField(max_length=3, default="USD")
    diamonds_per_100_coins = models.PositiveIntegerField(default=50)
    diamond_value_minor_per_100 = models.PositiveIntegerField(
        "value of 100 Diamonds", default=50, help_text="In minor units (cents) of the currency."
    )
    coin_value_minor_per_100 = models.PositiveIntegerField(
        "list value of 100 coins",
        default=100,
        help_text="In minor units (cents): what fans pay for coins, for the fee line.",
    )

    class Meta:
        ordering = ["-effective_from"]
        get_latest_by = "effective_from"
        constraints = [
            models.CheckConstraint(
                condition=Q(diamonds_per_100_coins__gt=0, coin_value_minor_per_100__gt=0),
                name="gifts_rate_positive",
            ),
            # The creator never gets more than the coins are worth: the fee is never negative.
            # Compared without dividing: SQL's integer division would round the pay down.
            models.CheckConstraint(
                condition=GreaterThanOrEqual(
                    models.F("coin_value_minor_per_100") * 100,
                    models.F("diamonds_per_100_coins") * models.F("diamond_value_minor_per_100"),
                ),
                name="gifts_rate_fee_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="gifts_rate_currency"
            ),
        ]

    def __str__(self) -> str:
        return f"From {self.effective_from:%-d %b %Y}: 100 coins = {self.diamonds_per_100_coins} ◆"

    def diamonds_for(self, coins: int) -> int:
        return coins * self.diamonds_per_100_coins // 100

    def value_of(self, diamonds: int) -> int:
        """Minor units `diamonds` pay the creator."""
        return diamonds * self.diamond_value_minor_per_100 // 100

    def list_value_of(self, coins: int) -> int:
        return coins * self.coin_value_minor_per_100 // 100


class GiftSent(models.Model):
    """One gift a fan sent on a video or during a live session, with the Diamonds and money
    it became at its day's rate, and the entries it moved."""

    fan = models.ForeignKey(User, on_delete=models.PROTECT, related_name="gifts_sent")
    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.PROTECT, related_name="gifts_received"
    )
    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, related_name="+")
    video = models.ForeignKey(
        Video, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    live = models.ForeignKey(
        LiveSession, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    coins = models.PositiveIntegerField()
    diamonds = models.PositiveIntegerField()
    rate = models.ForeignKey(DiamondRate, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    list_value_minor = models.PositiveIntegerField(help_text="The coins' list value.")
    creator_value_minor = models.PositiveIntegerField(help_text="What the Diamonds pay.")
    message = models.CharField(max_length=150, blank=True)
    anonymous = models.BooleanField(default=False, help_text="Hidden from other fans.")
    hidden_at = models.DateTimeField(null=True, blank=True, help_text="Hidden by the creator.")
    request_key = models.CharField(max_length=120, unique=True)
    coin_entry = models.OneToOneField(CoinEntry, on_delete=models.PROTECT, related_name="+")
    # The gift's credit on the creator's earnings ledger, set when gifts.support.post_gifts
    # posts it (a few seconds after the gift: gifts are posted in batches, one transaction
    # per creator, not one lock of the creator's account per gift). Posted once: the ledger
    # entry's key is the gift's request key, unique.
    earnings_entry = models.ForeignKey(
        EarningsEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when a refunded coin purchase took this gift's money back from the creator (or, not
    # posted yet, kept it from ever being posted).
    reversed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "gifts sent"
        constraints = [
            models.CheckConstraint(
                condition=Q(video__isnull=False, live__isnull=True)
                | Q(video__isnull=True, live__isnull=False),
                name="gifts_sent_on_video_or_live",
            ),
            models.CheckConstraint(condition=Q(coins__gt=0), name="gifts_sent_coins"),
        ]
        indexes = [
            models.Index(fields=["creator", "-created_at"], name="gifts_sent_creator_recent"),
            models.Index(fields=["fan", "-created_at"], name="gifts_sent_fan_recent"),
            # The gifts still to post to their creators' earnings (gifts.support.post_gifts):
            # a handful at any moment among millions, found without reading the rest.
            models.Index(
                fields=["creator", "id"],
                condition=Q(
                    earnings_entry__isnull=True, reversed_at__isnull=True, list_value_minor__gt=0
                ),
                name="gifts_sent_unposted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gift.name} from {self.fan} to {self.creator}"

    @property
    def value_display(self) -> str:
        return format_minor(self.creator_value_minor, self.currency)


# --- tips ---------------------------------------------------------------------------------------


class TipState(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"


class Tip(models.Model):
    """A fan's tip in money: recorded before the card is charged, with the creator's share
    and the platform's fee as they were then."""

    fan = models.ForeignKey(User, on_delete=models.PROTECT, related_name="tips_sent")
    creator = models.ForeignKey(
        CreatorProfile, on_delete=models.PROTECT, related_name="tips_received"
    )
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    share_pct = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    creator_share_minor = models.PositiveIntegerField()
    fee_minor = models.PositiveIntegerField()
    message = models.CharField(max_length=150, blank=True)
    anonymous = models.BooleanField(default=False, help_text="Hidden from other fans.")
    hidden_at = models.DateTimeField(null=True, blank=True, help_text="Hidden by the creator.")
    card = models.ForeignKey(SavedCard, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=TipState.choices, default=TipState.PENDING)
    request_key = models.CharField(max_length=120, unique=True)
    failure = models.CharField(max_length=300, blank=True)
    attempt = models.ForeignKey(
        PaymentAttempt, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    earnings_entry = models.ForeignKey(
        EarningsEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="gifts_tip_amount"),
            models.CheckConstraint(
                condition=Q(creator_share_minor__lte=models.F("amount_minor"))
                & Q(fee_minor=models.F("amount_minor") - models.F("creator_share_minor")),
                name="gifts_tip_share_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(state="paid", earnings_entry__isnull=False)
                | (~Q(state="paid") & Q(earnings_entry__isnull=True)),
                name="gifts_tip_credited_when_paid",
            ),
        ]
        indexes = [
            models.Index(fields=["creator", "-created_at"], name="gifts_tip_creator_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.amount_display} tip from {self.fan} to {self.creator} ({self.state})"

    @property
    def amount_display(self) -> str:
        return format_minor(self.amount_minor, self.currency)

    @property
    def share_display(self) -> str:
        return format_minor(self.creator_share_minor, self.currency)
