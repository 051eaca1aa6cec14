"""The match score: how well a listed creator fits a campaign, from 0 to 100, in parts a
brand and the creator can both read.

Every part is computed in SQL over MatchFeatures (refreshed nightly, marketplace.features),
the creator's Listing and niches, with the campaign's brief as constants, so ranking 100,000
creators sorts and paginates in the database. Each part is a whole number of points, at most
its weight (settings.MARKETPLACE_MATCH_WEIGHTS), reached when:

- niche: the creator covers every niche of the campaign (points for the share covered);
- audience: half or more of the creator's audience is in the target countries, and half or
  more in the target age bands (the two averaged; full marks when the brief targets none);
- engagement: an engagement rate of 10 % or more (linear below);
- authenticity: an authenticity score of 100 (linear);
- price: the creator's rate for the campaign's deliverable is at most the budget; it falls to
  nothing at one and a half times the budget, and a rate in another currency or no rate for
  that deliverable earns nothing (no exchange rates are guessed);
- activity: 8 or more posts in 30 days (three quarters) and a post in the last 7 days (a
  quarter);
- badges: the Academy's "brand-ready" badge (any other Academy badge earns half).

The words are built in Python only for the rows shown, from the same annotated values.

Ranking scores every eligible creator: with 100,000 listed, a few hundred milliseconds of
PostgreSQL, so a ranked page's creator ids and the count are cached (search.cached_page)
under the campaign, its last edit and the Marketplace's version (bumped by the nightly
refresh the score is computed from); the page's rows are scored afresh on every request.
PostgreSQL's JIT compiler, which the cost of that whole-table sort turns on, spends seconds
compiling the score's expressions for a query that runs in a fraction of that: the ranking
turns it off for its own transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Least
from django.utils import timezone

from accounts.models import CreatorProfile, Niche, Standing
from core.money import format_minor
from core.plurals import plural

from .campaigns import open_campaigns
from .models import Campaign, Deliverable, Listing, MatchFeatures
from .search import PER_PAGE, Result, SearchFilters, cache_key, cached_page, search, with_niches

PAGE_SIZE = 20
BRAND_READY = "brand-ready"
# Where each part earns its full weight (see the module's docstring).
AUDIENCE_FULL_BP = 5_000
ENGAGEMENT_FULL_BP = 1_000
ACTIVITY_FULL_POSTS = 8
RECENT_POST_DAYS = 7

PART_LABELS = {
    "niche": "Niche overlap",
    "audience": "Audience fit",
    "engagement": "Engagement",
    "authenticity": "Authenticity",
    "price": "Price against budget",
    "activity": "Recent activity",
    "badges": "Academy badges",
}
PRICE_FIELDS = {
    Deliverable.VIDEO: "price_video_minor",
    Deliverable.LIVE: "price_live_minor",
    Deliverable.BUNDLE: "price_bundle_minor",
}
PRICE_NOUNS = {
    Deliverable.VIDEO: "video",
    Deliverable.LIVE: "live session",
    Deliverable.BUNDLE: "bundle",
}


def weights() -> dict[str, int]:
    return dict(settings.MARKETPLACE_MATCH_WEIGHTS)


def _int(value: int) -> Value:
    return Value(value, output_field=BigIntegerField())


def _big(expression: object) -> Cast:
    # PostgreSQL's integer arithmetic overflows at 2**31; budgets times weights can pass it.
    return Cast(expression, BigIntegerField())


def _share(key_field: str, keys: list[str]) -> object:
    """The audience share (basis points) over `keys` of a JSON object of shares."""
    total: object = _int(0)
    for key in keys:
        total = total + Coalesce(
            Cast(KeyTextTransform(key, key_field), BigIntegerField()),
            _int(0),
            output_field=BigIntegerField(),
        )
    return total


def _has_badge(slug: str) -> Q:
    if connection.features.supports_json_field_contains:
        return Q(badges__contains=[slug])
    return Q(badges__icontains=f'"{slug}"')  # SQLite: the list's JSON text holds the quoted slug


def _annotations(campaign: Campaign, niche_ids: list[int], now: datetime) -> dict[str, object]:
    """Every value the score and its words need, as SQL expressions over MatchFeatures."""
    w = weights()
    through = CreatorProfile.niches.through
    matched = Subquery(
        through.objects.filter(creatorprofile_id=OuterRef("creator_id"), niche_id__in=niche_ids)
        .order_by()
        .values("creatorprofile_id")
        .annotate(n=Count("*"))
        .values("n")[:1],
        output_field=BigIntegerField(),
    )
    values: dict[str, object] = {
        "m_niches": Coalesce(matched, _int(0), output_field=BigIntegerField()),
        "m_country_bp": _share("audience_countries", campaign.target_countries),
        "m_age_bp": _share("audience_ages", campaign.target_ages),
        "m_rate": F(f"creator__listing__{PRICE_FIELDS[campaign.deliverable]}"),
        "m_rate_currency": F("creator__listing__currency"),
    }
    if niche_ids:
        niche = _big(w["niche"]) * F("m_niches") / _int(len(niche_ids))
    else:
        niche = _int(w["niche"])
    targets = [
        Least(_big(F(name)), _int(AUDIENCE_FULL_BP), output_field=BigIntegerField())
        for name, wanted in (
            ("m_country_bp", campaign.target_countries),
            ("m_age_bp", campaign.target_ages),
        )
        if wanted
    ]
    if targets:
        reached = targets[0] if len(targets) == 1 else targets[0] + targets[1]
        audience = _big(w["audience"]) * reached / _int(AUDIENCE_FULL_BP * len(targets))
    else:
        audience = _int(w["audience"])
    engagement = (
        _big(w["engagement"])
        * Least(_big(F("engagement_bp")), _int(ENGAGEMENT_FULL_BP), output_field=BigIntegerField())
        / _int(ENGAGEMENT_FULL_BP)
    )
    authenticity = (
        _big(w["authenticity"])
        * Least(_big(F("authenticity")), _int(100), output_field=BigIntegerField())
        / _int(100)
    )
    budget = campaign.budget_minor
    same_currency = Q(creator__listing__currency=campaign.currency)
    price = Case(
        When(~same_currency | Q(m_rate__isnull=True), then=_int(0)),
        When(m_rate__lte=budget, then=_int(w["price"])),
        # Linear from full at the budget to nothing at one and a half times it.
        When(
            m_rate__lt=budget * 3 // 2,
            then=_big(w["price"]) * (_int(3 * budget) - _big(F("m_rate")) * 2) / _int(budget),
        ),
        default=_int(0),
        output_field=BigIntegerField(),
    )
    recent = now - timedelta(days=RECENT_POST_DAYS)
    activity = (
        _big(w["activity"])
        * (
            Least(_big(F("posts_30d")), _int(ACTIVITY_FULL_POSTS), output_field=BigIntegerField())
            * 3
            + Case(
                When(last_post_at__gte=recent, then=_int(ACTIVITY_FULL_POSTS)),
                default=_int(0),
                output_field=BigIntegerField(),
            )
        )
        / _int(ACTIVITY_FULL_POSTS * 4)
    )
    badges = Case(
        When(_has_badge(BRAND_READY), then=_int(w["badges"])),
        When(~Q(badges=[]), then=_int(w["badges"] // 2)),
        default=_int(0),
        output_field=BigIntegerField(),
    )
    parts = {
        "p_niche": niche,
        "p_audience": audience,
        "p_engagement": engagement,
        "p_authenticity": authenticity,
        "p_price": price,
        "p_activity": activity,
        "p_badges": badges,
    }
    return {**values, **parts}


def eligible(campaign: Campaign) -> QuerySet[MatchFeatures]:
    """The creators a campaign may rank: listed and not paused, in good standing, with at
    least the brief's minimum followers."""
    return MatchFeatures.objects.filter(
        creator__listing__paused_at__isnull=True,
        creator__standing=Standing.GOOD,
        followers__gte=campaign.min_followers,
    )


def scored(
    campaign: Campaign,
    rows: QuerySet[MatchFeatures] | None = None,
    niches: list[Niche] | None = None,
) -> QuerySet:
    """`rows` (by default every eligible creator) with each part's points and the score;
    `niches`, the campaign's, when the caller has them already."""
    if niches is None:
        niche_ids = sorted(campaign.niches.values_list("pk", flat=True))
    else:
        niche_ids = sorted(niche.pk for niche in niches)
    annotations = _annotations(campaign, niche_ids, timezone.now())
    values = {k: v for k, v in annotations.items() if k.startswith("m_")}
    parts = {k: v for k, v in annotations.items() if k.startswith("p_")}
    total = sum((F(name) for name in parts), start=_int(0))
    return (
        (eligible(campaign) if rows is None else rows)
        .annotate(**values)
        .annotate(**parts)
        .annotate(score=total)
    )


# --- words --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    points: int
    weight: int
    words: str
    to_raise: str = ""

    @property
    def full(self) -> bool:
        return self.points >= self.weight

    @property
    def percent(self) -> int:
        return 100 * self.points // self.weight if self.weight else 100


@dataclass(frozen=True)
class Match:
    """A creator's score for a campaign and its parts in words."""

    creator: CreatorProfile
    features: MatchFeatures
    listing: Listing
    score: int
    parts: list[Part] = field(default_factory=list)

    @property
    def to_raise(self) -> list[str]:
        return [part.to_raise for part in self.parts if part.to_raise]


def _pct(bp: int) -> str:
    return f"{bp / 100:.0f} %" if bp % 100 == 0 else f"{bp / 100:.1f} %"


def _explain_row(
    row: MatchFeatures, campaign: Campaign, niches: list[Niche], matched: list[str], now: datetime
) -> Match:
    """The words for one annotated row of `scored`."""
    w = weights()
    listing = row.creator.listing
    parts: list[Part] = []

    def add(key: str, words: str, to_raise: str = "") -> None:
        points = int(getattr(row, f"p_{key}"))
        parts.append(
            Part(key, PART_LABELS[key], points, w[key], words, to_raise if points < w[key] else "")
        )

    if niches:
        missing = [n.name for n in niches if n.name not in matched]
        add(
            "niche",
            (
                f"Covers {len(matched)} of the campaign's {plural(len(niches), 'niche')}"
                if len(niches) > 1
                else "Covers the campaign's niche"
                if matched
                else "Does not cover the campaign's niche"
            )
            + (f": {', '.join(matched)}." if matched else "."),
            f"Add the campaign's niches you make videos in to your profile: {', '.join(missing)}.",
        )
    else:
        add("niche", "The campaign names no niches.")

    said = []
    if campaign.target_countries:
        said.append(
            f"{_pct(row.m_country_bp)} of the audience is in {', '.join(campaign.target_countries)}"
        )
    if campaign.target_ages:
        said.append(f"{_pct(row.m_age_bp)} is aged {', '.join(campaign.target_ages)}")
    add(
        "audience",
        ("; ".join(said) + " (half or more earns full marks).")
        if said
        else "The campaign targets no particular audience.",
        "Audience fit comes from who watches you; it cannot be changed on the portal.",
    )
    add(
        "engagement",
        f"Engagement rate {_pct(row.engagement_bp)} ({_pct(ENGAGEMENT_FULL_BP)} or more earns "
        "full marks).",
        "Replying to comments and asking viewers questions lifts engagement.",
    )
    add(
        "authenticity",
        f"Authenticity score {row.authenticity} of 100 from the platform's checks.",
        "Authenticity rises as views from suspect accounts fall.",
    )
    noun = PRICE_NOUNS[campaign.deliverable]
    budget = campaign.budget_display
    if row.m_rate is None:
        add(
            "price",
            f"No rate per {noun} on the listing.",
            f"Add a rate per {noun} to your listing.",
        )
    elif row.m_rate_currency != campaign.currency:
        add(
            "price",
            f"Rate per {noun} is in {row.m_rate_currency}; the budget is {budget}.",
            f"Rates in {campaign.currency} can be compared with this budget.",
        )
    else:
        rate = format_minor(row.m_rate, row.m_rate_currency)
        where = "within" if row.m_rate <= campaign.budget_minor else "above"
        add(
            "price",
            f"Rate per {noun} {rate}, {where} the budget of {budget} per creator.",
            f"A rate per {noun} at or under {budget} earns full marks.",
        )
    if row.last_post_at is None:
        last = "no post yet"
    else:
        days = (now - row.last_post_at).days
        last = "last post today" if days == 0 else f"last post {days} day{'s' * (days != 1)} ago"
    add(
        "activity",
        f"{row.posts_30d} post{'s' * (row.posts_30d != 1)} in 30 days, {last} "
        f"({ACTIVITY_FULL_POSTS} posts and one in the last {RECENT_POST_DAYS} days earn full "
        "marks).",
        f"Post {ACTIVITY_FULL_POSTS} or more videos a month, one in the last "
        f"{RECENT_POST_DAYS} days.",
    )
    badges = list(row.badges or [])
    add(
        "badges",
        "Holds the Academy's Brand-ready badge."
        if BRAND_READY in badges
        else (
            f"Academy badges: {', '.join(badges)}; not Brand-ready."
            if badges
            else "No Academy badges yet."
        ),
        "Finish the Academy's Brand-ready course for its badge.",
    )
    return Match(row.creator, row, listing, int(row.score), parts)


def _matched_names(campaign: Campaign, niches: list[Niche], creator_ids: list[int]) -> dict:
    """The campaign's niches each creator covers, by creator id (one query)."""
    through = CreatorProfile.niches.through
    names = {n.pk: n.name for n in niches}
    found: dict[int, list[str]] = {pk: [] for pk in creator_ids}
    for creator_id, niche_id in through.objects.filter(
        creatorprofile_id__in=creator_ids, niche_id__in=list(names)
    ).values_list("creatorprofile_id", "niche_id"):
        found[creator_id].append(names[niche_id])
    return {pk: sorted(v) for pk, v in found.items()}


def _explain_rows(
    campaign: Campaign, rows: list[MatchFeatures], niches: list[Niche] | None = None
) -> list[Match]:
    niches = list(campaign.niches.all()) if niches is None else niches
    matched = _matched_names(campaign, niches, [row.creator_id for row in rows])
    now = timezone.now()
    return [_explain_row(row, campaign, niches, matched[row.creator_id], now) for row in rows]


@contextmanager
def _without_jit() -> Iterator[None]:
    """Only a cache miss sorts every creator by score (a hit reads its rows by id), and there
    JIT compilation costs far more than it saves (see the module's docstring). SET LOCAL lasts
    until the transaction ends: one of its own, unless the caller's is open."""
    if connection.vendor != "postgresql":
        yield
        return
    with nullcontext() if connection.in_atomic_block else transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _best_first(rows: QuerySet) -> QuerySet:
    return rows.select_related("creator__listing", "creator__user").order_by(
        "-score", "-followers", "creator_id"
    )


def ranked(campaign: Campaign, page: int | str | None = 1) -> tuple[Page, list[Match]]:
    """The eligible creators by score, best first, one page of PAGE_SIZE, each explained.
    Sorted and paginated in the database; a bounded number of queries whatever the count
    (the niches, JIT off, the count, the page, the page's niches; three when the page is
    cached: the niches, the page's rows by id, their niches)."""
    niches = list(campaign.niches.all())
    rows = _best_first(scored(campaign, niches=niches))
    key = cache_key("ranking", campaign.pk, campaign.updated_at, str(page)[:12])

    def by_ids(ids: list[int]) -> QuerySet:
        return rows.filter(creator_id__in=ids).order_by()

    current, found = cached_page(key, rows, page, PAGE_SIZE, by_ids, around_miss=_without_jit)
    return current, _explain_rows(campaign, found, niches)


def matched_results_page(
    campaign: Campaign, filters: SearchFilters, page: object
) -> tuple[Page, list[Result]]:
    """The brand search sorted by match to `campaign`: the rows `filters` admit (not only those
    the campaign's own ranking counts eligible: the brand's filters decide who is shown), best
    score first, each with its Match. The same bounded queries as `ranked`, cached the same way."""
    niches = list(campaign.niches.all())
    rows = _best_first(scored(campaign, search(filters), niches=niches))
    key = cache_key(
        "search-match", asdict(filters), campaign.pk, campaign.updated_at, str(page)[:12]
    )

    def by_ids(ids: list[int]) -> QuerySet:
        return rows.filter(creator_id__in=ids).order_by()

    current, found = cached_page(key, rows, page, PER_PAGE, by_ids, around_miss=_without_jit)
    return current, with_niches(found, _explain_rows(campaign, found, niches))


def explain(campaign: Campaign, creator: CreatorProfile) -> Match | None:
    """The creator's score for the campaign, explained; None if they are not listed (or
    their features have not been computed yet)."""
    rows = MatchFeatures.objects.filter(creator=creator, creator__listing__isnull=False)
    row = scored(campaign, rows).select_related("creator__listing").first()
    return None if row is None else _explain_rows(campaign, [row])[0]


@dataclass(frozen=True)
class OpenCampaign:
    campaign: Campaign
    match: Match | None
    eligible: bool
    why_not: str = ""


def open_campaigns_for(
    creator: CreatorProfile, page: int | str | None = 1
) -> tuple[Page, list[OpenCampaign]]:
    """Open campaigns with the creator's score and what would raise it, newest first, one
    page. One scoring query per campaign on the page (the campaign's brief is the query's
    constants), so at most PAGE_SIZE of them."""
    paginator = Paginator(open_campaigns(), PAGE_SIZE)
    current = paginator.get_page(page)
    listing = Listing.objects.filter(creator=creator).first()
    features = MatchFeatures.objects.filter(creator=creator).first()
    found = []
    for campaign in current.object_list:
        match = explain(campaign, creator) if listing and features else None
        why_not = ""
        if listing is None:
            why_not = "Join the Marketplace with a listing to apply."
        elif listing.is_paused:
            why_not = "Your listing is paused: resume it to apply."
        elif creator.standing != Standing.GOOD:
            why_not = "Your account is not in good standing."
        elif features is not None and features.followers < campaign.min_followers:
            why_not = f"The brand asks for at least {campaign.min_followers:,} followers."
        found.append(OpenCampaign(campaign, match, not why_not, why_not))
    return current, found
