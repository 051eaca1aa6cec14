"""The demo Marketplace for seed_demo: the named creators given a month of recent activity
(through ingestion, so brands see real views and engagement for them), every eligible creator
listed (the demo creator with a full rate card and six featured videos of her own), the
night's match features computed, and
the demo brand's side of it: a saved list, an open campaign with a pending invitation to the
demo creator, an application and a counter-offer waiting for the brand, a draft, a
collaboration delivered again after one change and waiting for approval, and an older one
approved and paid (the demo creator's Brand deals line) with its message thread.

All through the marketplace's and payments' services, on the sandbox gateway whose test card
the brand pays with. Each piece is found by a stable name (a campaign's title, a proposal's
campaign and creator) and each collaboration is moved on only from the state it is in, so a
second run finds everything in place and changes nothing."""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

from accounts.models import BrandProfile, CreatorProfile, Niche, Standing
from activity.ingestion import JSONValue, ingest_records
from activity.models import CreatorDay, Video, VideoDay
from core.clock import rewards_today
from devdata.demo_subscriptions import SUCCEEDS, _card
from marketplace import campaigns, collaborations, features, listings, lists, proposals
from marketplace.campaigns import Brief
from marketplace.listings import ListingTerms
from marketplace.models import (
    MAX_FEATURED_VIDEOS,
    Availability,
    Campaign,
    CampaignState,
    Collaboration,
    CollabState,
    Deliverable,
    Direction,
    Listing,
    Objective,
    Proposal,
    ProposalState,
    UsageRights,
)

USD = 100  # minor units in a dollar

# The demo's own creators, by handle; every other eligible creator gets terms drawn from a
# generator seeded with their handle (`_generated_terms`).
TERMS = {
    "mayamakes": ListingTerms(
        headline="Five-minute make-up, cosy bakes and crafts, filmed at my kitchen table",
        about=(
            "I'm Maya, a maker from Manchester. My viewers come for honest, everyday routines: "
            "five-minute make-up, a bake for the weekend, a craft you can finish in an "
            "evening. I film, edit and caption everything myself, and I only show products I "
            "would buy again. Brands I've worked with get a script to approve first and the "
            "raw footage for their own channels."
        ),
        language="en",
        currency="USD",
        price_video_minor=450 * USD,
        price_live_minor=300 * USD,
        price_bundle_minor=1_100 * USD,
        bundle_note="3 videos and a live session",
        availability=Availability.OPEN,
        availability_note="Booking autumn collaborations now",
    ),
    "leo.dances": ListingTerms(
        headline="Dance challenges that get Brazil moving",
        about="Choreography your audience can learn in a minute, with music that fits.",
        language="pt",
        price_video_minor=1_800 * USD,
        price_live_minor=1_200 * USD,
        price_bundle_minor=4_500 * USD,
        bundle_note="3 challenge videos and a live class",
    ),
    "aikocodes": ListingTerms(
        headline="Tech explained in sixty seconds, in Japanese and English",
        about="Gadgets, apps and the science behind them, without the jargon.",
        language="ja",
        price_video_minor=900 * USD,
        price_bundle_minor=2_400 * USD,
        bundle_note="3 explainer videos",
        availability=Availability.LIMITED,
        availability_note="Two slots left this month",
    ),
    "samfitlife": ListingTerms(
        headline="Home workouts people actually finish",
        about="Twenty-minute routines, no gym needed; honest gear reviews.",
        price_video_minor=650 * USD,
        price_live_minor=400 * USD,
    ),
    "nora_travels": ListingTerms(
        headline="Slow travel across the Nordics, and what's in my bag",
        about="Trains, cabins and the kit that survives the weather.",
        price_video_minor=480 * USD,
        price_bundle_minor=1_200 * USD,
        bundle_note="2 videos and a live from the trip",
    ),
    "kofikicks": ListingTerms(
        headline="Football skills and sketches from Accra",
        price_video_minor=180 * USD,
        price_live_minor=120 * USD,
    ),
    "rajcooks": ListingTerms(
        headline="Weeknight Indian cooking in fifteen minutes",
        about="One pan, supermarket spices, dinner on the table before the rice is done.",
        language="hi",
        price_video_minor=1_100 * USD,
        price_live_minor=700 * USD,
        price_bundle_minor=2_800 * USD,
        bundle_note="3 recipes and a live cook-along",
        availability=Availability.BOOKED,
        availability_note="Booked until next month",
    ),
    "milameows": ListingTerms(
        headline="Cats, chaos and comedy from Kraków",
        language="pl",
        currency="EUR",
        price_video_minor=700 * USD,
    ),
}

# Generated creators' words, by their first niche.
HEADLINES = {
    "beauty": "Skincare and make-up that fits a busy morning",
    "comedy": "Sketches your audience sends to their friends",
    "cooking": "Quick recipes with what is already in the cupboard",
    "dance": "Choreography anyone can learn in a minute",
    "diy-crafts": "Make it yourself: crafts and upcycling, step by step",
    "education": "Study tips and explainers that stick",
    "fashion": "Outfits for every budget, styled three ways",
    "finance": "Money basics without the jargon",
    "fitness": "Short workouts and honest gear reviews",
    "gaming": "Let's plays, first looks and speedruns",
    "music": "Covers, originals and the gear behind them",
    "parenting": "Real family life, tips that survive toddlers",
    "pets": "Pets, training tips and the occasional disaster",
    "science-tech": "Gadgets and science, explained in a minute",
    "sports": "Skills, drills and match-day reactions",
    "travel": "Budget travel and the places off the map",
}
LANGUAGE_OF = {"BR": "pt", "DE": "de", "ES": "es", "FR": "fr", "JP": "ja", "MX": "es", "PL": "pl"}
EURO_COUNTRIES = {"DE", "ES", "FR"}
GENERATED_FEATURED = 3


@dataclass(frozen=True)
class Seeded:
    listed: int  # creators who joined the Marketplace on this run
    deals: int  # campaigns, proposals and collaboration steps made on this run
    active: int = 0  # named creators given recent activity on this run

    @property
    def made(self) -> bool:
        return bool(self.listed or self.deals or self.active)


def seed_marketplace(*, creator: CreatorProfile, brand: BrandProfile) -> Seeded:
    """Give the named creators recent activity, list the eligible creators (`creator`, the
    demo creator, first), refresh the match features, and give `brand` its campaigns,
    proposals and collaborations with `creator`."""
    active = seed_recent_activity(today=rewards_today())
    listed = _list_creators(creator)
    featured = _feature_new_videos()
    if listed or active or featured:
        features.refresh()  # as the nightly job would: the brand's search has real numbers
    return Seeded(
        listed=len(listed),
        deals=_DealSeeder(creator=creator, brand=brand).run(),
        active=active,
    )


# Recent activity ------------------------------------------------------------------------------

# What the named creators post about, for their videos' titles.
TOPICS = {
    "mayamakes": ["5-minute make-up", "Sunday bake", "Evening craft", "Kitchen-table haul"],
    "leo.dances": ["Learn this in a minute", "Challenge with my crew", "Samba basics"],
    "aikocodes": ["Gadget explained", "Why your phone does this", "App I use every day"],
    "samfitlife": ["20-minute home workout", "Gear review", "No-gym leg day"],
    "nora_travels": ["Night train north", "What's in my bag", "Cabin week"],
    "kofikicks": ["Skill of the day", "Match-day sketch", "Street football"],
    "rajcooks": ["15-minute dinner", "One-pan curry", "Spice cupboard basics"],
    "milameows": ["Cat vs. box", "Caught on camera", "Morning chaos"],
}
UPLOAD_CHANCE = 0.4  # a video every two or three days
STATS_DAYS = 7  # each video's daily stats: the week after it is published


def seed_recent_activity(*, today: date) -> int:
    """Give the named demo creators (TERMS) believable activity over the features' window,
    the 30 days up to yesterday, through ingestion as the platform would send it: a video
    every two or three days with a week of daily stats, and the day's follower count ending
    at today's. Only days after a creator's latest activity are written, so the demo
    creator, seeded with three months of it, gets nothing more on a fresh seed, a demo
    seeded weeks ago is brought up to date, and a second run the same day writes nothing
    (the records' ids are stable, too). Returns how many creators were given activity."""
    yesterday = today - timedelta(days=1)
    first_day, _ = features.window(yesterday)
    creators = CreatorProfile.objects.filter(handle__in=TOPICS).order_by("pk")
    records: list[dict[str, JSONValue]] = []
    given = 0
    for creator in creators:
        latest = max(
            filter(
                None,
                [
                    VideoDay.objects.filter(creator=creator).aggregate(day=Max("day"))["day"],
                    CreatorDay.objects.filter(creator=creator).aggregate(day=Max("day"))["day"],
                ],
            ),
            default=None,
        )
        start = max(first_day, latest + timedelta(days=1)) if latest else first_day
        if start > yesterday:
            continue
        records += _activity_records(creator, start, yesterday)
        given += 1
    if records:
        report = ingest_records(records)
        if report.rejected:
            raise ValueError(f"Demo activity was rejected: {report.rejected[:3]}")
    return given


def _activity_records(
    creator: CreatorProfile, first: date, last: date
) -> list[dict[str, JSONValue]]:
    """The creator's videos, video days and creator days from `first` to `last`, drawn from
    generators seeded with their handle (and each day), so the same on every seed."""
    rng = random.Random(f"activity:{creator.handle}")
    reach = rng.uniform(0.05, 0.12)  # first-day views of a video, per follower
    liking = rng.uniform(0.7, 1.3)  # how much more (or less) than usual the audience engages
    growth = rng.uniform(0.0005, 0.003)  # followers a day, as a share
    topics = TOPICS.get(creator.handle, ["New video"])
    records: list[dict[str, JSONValue]] = []
    day = first
    while day <= last:
        rng = random.Random(f"activity:{creator.handle}:{day}")
        tag = f"{creator.handle}-{day}"
        followers = round(creator.followers / (1 + growth) ** (last - day).days)
        records.append(
            {
                "type": "creator_day",
                "id": f"demo-mkt-cd-{tag}",
                "creator": creator.handle,
                "date": day.isoformat(),
                "followers": followers,
                "replies": rng.randint(2, 30),
                "live_minutes": rng.choice((0, 0, 0, 0, 30, 45)),
            }
        )
        if rng.random() < UPLOAD_CHANCE:
            video_id = f"demo-mkt-v-{tag}"
            records.append(
                {
                    "type": "video",
                    "id": video_id,
                    "creator": creator.handle,
                    "title": f"{rng.choice(topics)} #{(day - first).days + 1}",
                    "published_at": datetime.combine(
                        day, time(rng.randrange(8, 21)), UTC
                    ).isoformat(),
                    "duration_s": rng.choice((45, 62, 75, 95, 140, 210)),
                    "original": rng.random() > 0.05,
                }
            )
            first_views = followers * reach * rng.uniform(0.6, 1.5)
            for age in range(min(STATS_DAYS, (last - day).days + 1)):
                views = int(first_views * 0.55**age)
                records.append(
                    {
                        "type": "video_day",
                        "id": f"demo-mkt-vd-{tag}-{age}",
                        "video": video_id,
                        "date": (day + timedelta(days=age)).isoformat(),
                        "views": views,
                        "views_5s": int(views * rng.uniform(0.6, 0.85)),
                        "likes": int(views * rng.uniform(0.04, 0.09) * liking),
                        "comments": int(views * rng.uniform(0.004, 0.012) * liking),
                        "shares": int(views * rng.uniform(0.002, 0.008) * liking),
                        "watch_time_s": views * rng.randint(8, 30),
                    }
                )
        day += timedelta(days=1)
    return records


def _feature_new_videos() -> int:
    """Feature the most viewed videos of named creators listed before they had any (a demo
    seeded before they were given activity). Returns how many listings changed."""
    bare = Listing.objects.filter(creator__handle__in=TOPICS, featured__isnull=True)
    changed = 0
    for listing in bare.select_related("creator").order_by("pk"):
        if videos := _most_viewed(listing.creator, GENERATED_FEATURED):
            listings.set_featured_videos(listing=listing, video_ids=videos)
            changed += 1
    return changed


# Listings ------------------------------------------------------------------------------------


def _list_creators(demo: CreatorProfile) -> list[Listing]:
    """Everyone the Marketplace path admits and who is not listed yet, the demo creator first,
    with featured videos of their own (the demo creator's six most viewed)."""
    today = rewards_today()
    candidates = (
        CreatorProfile.objects.filter(
            followers__gt=settings.MARKETPLACE_MIN_FOLLOWERS,
            standing=Standing.GOOD,
            listing__isnull=True,
        )
        .prefetch_related("niches")
        .order_by("pk")
    )
    made = []
    for creator in sorted(candidates, key=lambda c: c.pk != demo.pk):
        if not listings.marketplace_path(creator, today).eligible:
            continue  # too young
        terms = TERMS.get(creator.handle) or _generated_terms(creator)
        listing = listings.join_marketplace(creator=creator, terms=terms, today=today)
        count = MAX_FEATURED_VIDEOS if creator.pk == demo.pk else GENERATED_FEATURED
        if videos := _most_viewed(creator, count):
            listings.set_featured_videos(listing=listing, video_ids=videos)
        made.append(listing)
    return made


def _most_viewed(creator: CreatorProfile, count: int) -> list[int]:
    return list(
        Video.objects.filter(creator=creator)
        .annotate(total=Sum("days__views"))
        .filter(total__gt=0)
        .order_by("-total", "pk")
        .values_list("pk", flat=True)[:count]
    )


def _round(amount: float) -> int:
    """A price in minor units, to the nearest five."""
    return max(5, round(amount / 5) * 5) * USD


def _generated_terms(creator: CreatorProfile) -> ListingTerms:
    """Believable terms from the creator's niche, country and reach: the same on every seed."""
    rng = random.Random(f"listing:{creator.handle}")
    niches = sorted(creator.niches.all(), key=lambda n: n.slug)
    niche = niches[0].slug if niches else "comedy"
    country = creator.country.code
    video = _round(creator.followers / 1_000 * rng.uniform(8, 20))
    live = _round(video / USD * rng.uniform(0.5, 0.8)) if rng.random() < 0.5 else None
    bundle = _round(video / USD * rng.uniform(2.2, 2.7)) if rng.random() < 0.4 else None
    availability = rng.choices(
        [Availability.OPEN, Availability.LIMITED, Availability.BOOKED], weights=[7, 2, 1]
    )[0]
    return ListingTerms(
        headline=HEADLINES.get(niche, HEADLINES["comedy"]),
        about=f"{' and '.join(n.name for n in niches) or 'Short'} videos from "
        f"{creator.country.name}, new every week. Brands get a script to approve first.",
        language=LANGUAGE_OF.get(country, "hi" if country == "IN" and rng.random() < 0.5 else "en"),
        currency="EUR" if country in EURO_COUNTRIES else "USD",
        price_video_minor=video,
        price_live_minor=live,
        price_bundle_minor=bundle,
        bundle_note="3 videos and a live session" if bundle else "",
        availability=availability,
        availability_note={
            Availability.OPEN: "",
            Availability.LIMITED: "A couple of slots left this month",
            Availability.BOOKED: "Booked until next month",
        }[availability],
    )


# The brand's deals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCampaign:
    title: str
    objective: str
    brief: str
    deliverables: str
    budget: int  # US dollars per creator
    days_left: int  # until the deadline
    state: str
    niches: tuple[str, ...] = ("beauty", "diy-crafts")
    countries: tuple[str, ...] = ("GB", "US")
    ages: tuple[str, ...] = ("18-24", "25-34")
    deliverable: str = Deliverable.VIDEO
    min_followers: int = 10_000


AUTUMN = DemoCampaign(
    "Autumn glow launch",
    Objective.LAUNCH,
    "Our autumn range launches next month: a tinted balm, a glow serum and a berry lip. Show "
    "one of them in your own routine, in your own words; we send the products and a one-page "
    "guide, and approve a short script before you film.",
    "One 45-90 second video on your channel, with the product in the first ten seconds, and "
    "the raw footage for our own channels.",
    500,
    30,
    CampaignState.OPEN,
)
EVERYDAY = DemoCampaign(
    "Everyday glow series",
    Objective.CONSIDERATION,
    "A running series of honest, everyday routines with our glow serum and SPF.",
    "One 60-second morning-routine video featuring the glow serum and SPF 30.",
    450,
    21,
    CampaignState.OPEN,
)
SUMMER = DemoCampaign(
    "Summer skincare routine",
    Objective.AWARENESS,
    "Summer skincare in five minutes: SPF you will actually wear.",
    "One 60-second video of your summer morning routine with our SPF 30.",
    400,
    7,
    CampaignState.CLOSED,
)
HOLIDAY = DemoCampaign(
    "Holiday gift sets",
    Objective.CONVERSION,
    "Gift sets for the holidays: unboxing and a look made with the set. Still a draft: "
    "budget and creators to be confirmed.",
    "A bundle: two short videos and a live unboxing.",
    900,
    75,
    CampaignState.DRAFT,
    niches=("beauty", "fashion"),
    countries=("GB", "US", "IE"),
    deliverable=Deliverable.BUNDLE,
    min_followers=25_000,
)

SHORTLIST = "Autumn shortlist"
APPLICANT = "nora_travels"  # applies to the autumn launch: the brand's answer is due
COUNTERING = "leo.dances"  # invited to the autumn launch, countered: the brand's answer is due

SUMMER_LINK = "https://videos.example.com/@mayamakes/summer-spf-routine"
EVERYDAY_LINKS = (
    "https://videos.example.com/@mayamakes/everyday-glow-morning",
    "https://videos.example.com/@mayamakes/everyday-glow-morning-v2",
)
SUMMER_THREAD = [
    ("brand", "Hi Maya, the summer routine video did brilliantly: approved, and thank you!"),
    (
        "creator",
        "Thank you! It was fun to film. People keep asking where to buy the SPF; could you "
        "send a link I can pin?",
    ),
    (
        "brand",
        "Here you go: https://glow.example.com/spf-30. We'd love to have you on the autumn "
        "launch too, brief coming soon.",
    ),
    ("creator", "Count me in. Send it over when it's ready."),
]
EVERYDAY_THREAD = [
    ("creator", "Re-cut with the label in shot and the SPF line added. Have a look!"),
]


class _DealSeeder:
    """The brand's side of the demo, each step taken only if it is not taken yet."""

    def __init__(self, *, creator: CreatorProfile, brand: BrandProfile) -> None:
        self.creator = creator
        self.brand = brand
        self.now = timezone.now()
        self.made = 0

    def run(self) -> int:
        if not Listing.objects.filter(creator=self.creator).exists():
            return 0  # the demo creator is not eligible (a test's creator, say)
        self._shortlist()
        autumn = self._campaign(AUTUMN)
        self._campaign(HOLIDAY)
        self._propose(
            autumn,
            self.creator,
            Direction.INVITE,
            500 * USD,
            "Hi Maya, we loved working with you this summer. Would you make one video for "
            "the autumn launch? Products ship this week.",
            days_ago=2,
        )
        if applicant := self._other(APPLICANT):
            self._propose(
                autumn,
                applicant,
                Direction.APPLY,
                480 * USD,
                "Travel-proof skincare is half my comments section: I'd show the balm and "
                "serum on a rainy week in the fjords.",
                days_ago=1,
            )
        if countering := self._other(COUNTERING, besides=applicant):
            invitation = self._propose(
                autumn,
                countering,
                Direction.INVITE,
                600 * USD,
                "A dance-floor glow look for the autumn launch?",
                days_ago=3,
            )
            if invitation.state == ProposalState.PENDING:
                proposals.answer(
                    proposal=invitation,
                    by=countering.user,
                    action="counter",
                    price_minor=900 * USD,
                    message="Happy to! My rate for a choreographed video is 900.",
                    now=self.now - timedelta(days=1),
                )
                self.made += 1
        if settings.PAYMENTS_GATEWAY == "sandbox":  # the brand pays with the sandbox's card
            self._paid_collaboration()
            self._collaboration_to_approve()
        return self.made

    # --- pieces ---

    def _shortlist(self) -> None:
        """A list of a few creators, filled when it is made (the brand may edit it since)."""
        if self.brand.lists.filter(name=SHORTLIST).exists():
            return
        saved = lists.create_list(brand=self.brand, name=SHORTLIST)
        self.made += 1
        picks = [self.creator, *(self._other(h) for h in (APPLICANT, COUNTERING, "milameows"))]
        for creator in filter(None, picks):
            lists.add_to_list(saved_list=saved, creator=creator)

    def _other(self, handle: str, besides: CreatorProfile | None = None) -> CreatorProfile | None:
        """The listed creator with `handle`, or (in a smaller demo) the biggest listed one
        other than the demo creator and `besides`."""
        listed = CreatorProfile.objects.filter(
            listing__isnull=False, listing__paused_at__isnull=True, standing=Standing.GOOD
        ).exclude(pk=self.creator.pk)
        if besides is not None:
            listed = listed.exclude(pk=besides.pk)
        return listed.filter(handle=handle).first() or listed.order_by("-followers", "pk").first()

    def _campaign(self, spec: DemoCampaign) -> Campaign:
        """The brand's campaign with the spec's title, written (and opened) if missing."""
        found = self.brand.campaigns.filter(title=spec.title).first()
        if found is not None:
            return found
        campaign = campaigns.save_campaign(
            brand=self.brand,
            brief=Brief(
                title=spec.title,
                objective=spec.objective,
                brief=spec.brief,
                niches=list(Niche.objects.filter(slug__in=spec.niches)),
                target_countries=list(spec.countries),
                target_ages=list(spec.ages),
                deliverable=spec.deliverable,
                deliverables=spec.deliverables,
                budget_minor=spec.budget * USD,
                currency="USD",
                deadline=rewards_today() + timedelta(days=spec.days_left),
                min_followers=spec.min_followers,
            ),
        )
        self.made += 1
        if spec.state != CampaignState.DRAFT:
            campaign = campaigns.open_campaign(brand=self.brand, campaign=campaign)
        return campaign  # a campaign to close is closed once its collaboration is paid

    def _propose(
        self,
        campaign: Campaign,
        creator: CreatorProfile,
        direction: str,
        price_minor: int,
        message: str,
        *,
        days_ago: int,
    ) -> Proposal:
        """The campaign's first invitation or application for the creator, made if missing."""
        found = (
            Proposal.objects.filter(campaign=campaign, creator=creator, direction=direction)
            .order_by("created_at", "pk")
            .first()
        )
        if found is not None:
            return found
        self.made += 1
        at = self.now - timedelta(days=days_ago)
        if direction == Direction.INVITE:
            return proposals.invite(
                brand=self.brand,
                campaign=campaign,
                creator=creator,
                price_minor=price_minor,
                message=message,
                now=at,
            )
        return proposals.apply(
            creator=creator, campaign=campaign, price_minor=price_minor, message=message, now=at
        )

    def _accepted(
        self, spec: DemoCampaign, price_minor: int, message: str, days_ago: int
    ) -> tuple[Campaign, Collaboration]:
        """The demo creator's collaboration on the spec's campaign: invited `days_ago`,
        accepted a day later."""
        campaign = self._campaign(spec)
        invitation = self._propose(
            campaign,
            self.creator,
            Direction.INVITE,
            price_minor,
            message,
            days_ago=days_ago,
        )
        if invitation.state == ProposalState.PENDING:
            proposals.answer(
                proposal=invitation,
                by=self.creator.user,
                action="accept",
                message="Yes please!",
                now=self.now - timedelta(days=days_ago - 1),
            )
            self.made += 1
        return campaign, Collaboration.objects.get(proposal=invitation)

    def _agree_and_pay(self, collab: Collaboration, usage_rights: str) -> Collaboration:
        """Terms set by the brand, agreed by the creator, paid into hold with the brand's card."""
        if collab.state != CollabState.TERMS:
            return collab
        if collab.brand_agreed_at is None:
            collab = collaborations.set_terms(
                collab=collab,
                by=self.brand.user,
                deliverables=collab.deliverables,
                due_on=collab.due_on,
                price_minor=collab.price_minor,
                usage_rights=usage_rights,
            )
        if collab.creator_agreed_at is None:
            collab = collaborations.agree_terms(collab=collab, by=self.creator.user)
        self.made += 1
        return collaborations.pay(
            collab=collab, by=self.brand.user, card=_card(self.brand.user, SUCCEEDS)
        )

    def _deliver(self, collab: Collaboration, link: str, note: str) -> Collaboration:
        collaborations.deliver(collab=collab, by=self.creator.user, links=link, note=note)
        self.made += 1
        return Collaboration.objects.get(pk=collab.pk)

    def _thread(self, collab: Collaboration, thread: list[tuple[str, str]]) -> None:
        if collab.messages.exists():
            return
        for who, body in thread:
            author = self.creator.user if who == "creator" else self.brand.user
            collaborations.post_message(collab=collab, by=author, body=body)
        self.made += 1

    def _paid_collaboration(self) -> None:
        """Summer: invited a month ago, delivered, approved and paid (the creator credited),
        a thread of messages; the campaign closed since."""
        campaign, collab = self._accepted(
            SUMMER, 400 * USD, "Would you show our SPF 30 in your summer routine?", days_ago=30
        )
        collab = self._agree_and_pay(collab, UsageRights.ORGANIC)
        if collab.state == CollabState.ACCEPTED:
            collab = self._deliver(collab, SUMMER_LINK, "Posted this morning!")
        if collab.state == CollabState.DELIVERED:
            collab = collaborations.approve(collab=collab, by=self.brand.user)
            self.made += 1
        self._thread(collab, SUMMER_THREAD)
        if campaign.state == CampaignState.OPEN:
            campaigns.close_campaign(brand=self.brand, campaign=campaign)
            self.made += 1

    def _collaboration_to_approve(self) -> None:
        """Everyday: paid into hold, delivered, one change asked, delivered again; the
        brand's approval is due."""
        _, collab = self._accepted(
            EVERYDAY,
            450 * USD,
            "One morning-routine video with the glow serum and SPF?",
            days_ago=12,
        )
        collab = self._agree_and_pay(collab, UsageRights.ADS_30)
        if collab.state == CollabState.ACCEPTED:
            collab = self._deliver(collab, EVERYDAY_LINKS[0], "First cut, ready for your eyes.")
        if collab.state == CollabState.DELIVERED and collab.change_rounds == 0:
            collab = collaborations.request_changes(
                collab=collab,
                by=self.brand.user,
                note="Lovely! Could the serum's label stay in shot a second longer, and could "
                "you mention the SPF 30 at the end?",
            )
            self.made += 1
        if collab.state == CollabState.CHANGES:
            collab = self._deliver(
                collab, EVERYDAY_LINKS[1], "Label in shot for two seconds; SPF line added."
            )
        self._thread(collab, EVERYDAY_THREAD)
