"""The creator's subscription studio: overview, subscribers and their CSV, revenue, perks to
deliver. Each page for its creator, never another's rows, refused to everyone else, with its
query count pinned; marking perks delivered through subscriptions.studio."""

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import CreatorProfile, Notification, User
from accounts.tests.factories import BrandFactory, CreatorFactory, FanFactory, StaffFactory
from activity.tests.factories import VideoDayFactory, VideoFactory
from subscriptions import selectors_studio, services, studio
from subscriptions.models import (
    Billing,
    ChargeKind,
    ChargeState,
    CustomPerk,
    Package,
    PerkCadence,
    PerkDelivery,
    Post,
    State,
    Subscription,
    SubscriptionCharge,
)
from subscriptions.tests.factories import (
    DECLINES_CHARGES,
    PackageFactory,
    SubscriptionFactory,
    card_for,
)

pytestmark = pytest.mark.django_db


def named_fan(name: str) -> object:
    """A fan whose shown name is `name` (an email-like one, to look for in pages)."""
    return FanFactory(email=name if "@" in name else f"{name}@example.com", name=name)


STUDIO = reverse("subscriptions:studio")
SUBSCRIBERS = reverse("subscriptions:subscribers")
SUBSCRIBERS_CSV = reverse("subscriptions:subscribers_csv")
REVENUE = reverse("subscriptions:revenue")
PERKS = reverse("subscriptions:perks")
PAGES = [STUDIO, SUBSCRIBERS, SUBSCRIBERS_CSV, REVENUE, PERKS]
HTMX = {"HX-Request": "true"}


def subscribe(
    fan: User,
    package: Package,
    *,
    key: str = "k1",
    billing: str = Billing.MONTHLY,
    now: datetime | None = None,
    number: str | None = None,
) -> Subscription:
    card = card_for(fan, number) if number else card_for(fan)
    return services.subscribe(
        fan=fan, package=package, billing=billing, card=card, request_key=key, now=now
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: HttpResponse) -> str:
    return response.content.decode()


def perk_delivery(
    creator: CreatorProfile, fan: User | None = None, *, perk: str = "Shout-out", due: date
) -> PerkDelivery:
    package = Package.objects.filter(creator=creator).first() or PackageFactory(creator=creator)
    custom, _ = CustomPerk.objects.get_or_create(
        package=package, name=perk, defaults={"cadence": PerkCadence.MONTHLY}
    )
    subscription = Subscription.objects.filter(creator=creator, fan=fan).first() if fan else None
    if subscription is None:
        subscription = SubscriptionFactory(package=package, **({"fan": fan} if fan else {}))
    return PerkDelivery.objects.create(perk=custom, subscription=subscription, due_on=due)


# --- who may open the studio ------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_visitors_are_sent_to_sign_in(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("make", [FanFactory, lambda: BrandFactory().user, StaffFactory])
def test_fans_brands_and_staff_are_refused(url: str, make: Callable[[], User]) -> None:
    assert client_for(make()).get(url).status_code == 403


@pytest.mark.parametrize("make", [FanFactory, lambda: BrandFactory().user])
def test_only_creators_may_mark_perks_delivered(make: Callable[[], User]) -> None:
    delivery = perk_delivery(CreatorFactory(), due=date(2026, 3, 1))
    data = {"delivery": [delivery.pk]}
    assert client_for(make()).post(PERKS, data).status_code == 403
    assert client_for(make()).post(PERKS, data, headers=HTMX).status_code == 403
    visitor = Client().post(PERKS, data)
    assert visitor.status_code == 302 and visitor["Location"].startswith(reverse("account_login"))
    delivery.refresh_from_db()
    assert delivery.delivered_at is None


# --- the overview -----------------------------------------------------------------------------


def test_the_studio_overview_shows_each_pages_headline_and_links_to_them(
    creator: CreatorProfile, creator_client: Client
) -> None:
    package = PackageFactory(creator=creator, monthly_price_minor=500)
    SubscriptionFactory(package=package)
    perk_delivery(creator, due=date(2026, 3, 1))
    SubscriptionFactory()  # another creator's

    response = creator_client.get(STUDIO)
    body = text(response)
    assert response.status_code == 200
    assert '<p class="card-value" data-testid="live">2</p>' in body  # perk_delivery added one
    assert "10.00 USD" in body
    assert '<p class="card-value" data-testid="perks-due">1</p>' in body
    assert '<p class="card-value" data-testid="packages">1</p>' in body
    for name in ("packages", "subscribers", "revenue", "perks"):
        assert f'href="{reverse(f"subscriptions:{name}")}"' in body


# --- subscribers ------------------------------------------------------------------------------


def test_the_subscribers_list_shows_each_subscriber_newest_first(
    creator: CreatorProfile, creator_client: Client
) -> None:
    now = timezone.now()
    gold = PackageFactory(creator=creator, name="Gold", monthly_price_minor=900)
    silver = PackageFactory(creator=creator, name="Silver", annual_price_minor=4_800)
    older = SubscriptionFactory(
        package=gold,
        fan=named_fan("older@example.com"),
        started_at=now - timedelta(days=100),
        months_paid=4,
        founder_number=1,
    )
    SubscriptionFactory(
        package=silver,
        fan=named_fan("newer@example.com"),
        billing=Billing.ANNUAL,
        price_minor=4_800,
        started_at=now - timedelta(days=2),
        months_paid=12,
    )
    SubscriptionFactory(
        package=gold,
        fan=named_fan("gone@example.com"),
        state=State.CANCELLED,
        ended_at=now - timedelta(days=1),
    )
    SubscriptionFactory(fan=named_fan("elsewhere@example.com"))  # another creator's

    response = creator_client.get(SUBSCRIBERS)
    body = text(response)
    assert response.status_code == 200
    assert "2 live subscribers" in body
    assert body.index("newer@example.com") < body.index("older@example.com")
    assert "gone@example.com" not in body and "elsewhere@example.com" not in body
    rows = response.context["rows"]
    assert [(r.fan, r.package, r.billing, r.price, r.state, r.months, r.badge) for r in rows] == [
        ("newer@example.com", "Silver", "Annual", "48.00 USD a year", "Active", 12, "1 month"),
        (
            "older@example.com",
            "Gold",
            "Monthly",
            "9.00 USD a month",
            "Active",
            4,
            "Founder · 3 months",
        ),
    ]
    assert rows[1].since == older.started_at

    ended = creator_client.get(SUBSCRIBERS, {"state": "ended"})
    assert [r.fan for r in ended.context["rows"]] == ["gone@example.com"]
    assert ended.context["rows"][0].state.startswith("Cancelled on ")
    every = creator_client.get(SUBSCRIBERS, {"state": "all", "package": gold.pk})
    assert [r.fan for r in every.context["rows"]] == ["gone@example.com", "older@example.com"]
    assert f"2 subscribers, live and former · {gold.name}" in text(every)
    assert "1 former subscriber" in text(ended)


def test_a_subscriber_who_cancelled_shows_when_their_perks_end(
    creator: CreatorProfile, creator_client: Client
) -> None:
    subscription = SubscriptionFactory(package__creator=creator, cancel_at_period_end=True)
    [row] = creator_client.get(SUBSCRIBERS).context["rows"]
    end = f"{subscription.current_period_end:%-d %b %Y}"
    assert row.state == f"Active, ends on {end}"


def test_another_creators_package_is_not_a_filter(
    creator: CreatorProfile, creator_client: Client
) -> None:
    theirs = PackageFactory()
    SubscriptionFactory(package=theirs)
    for url in (SUBSCRIBERS, SUBSCRIBERS_CSV):
        response = creator_client.get(url, {"package": theirs.pk})
        assert response.status_code == 400
        assert "Choose one of your packages." in text(response)
    assert creator_client.get(SUBSCRIBERS, {"state": "gone"}).status_code == 400


def test_the_subscribers_list_pages_keep_the_filter(
    creator: CreatorProfile, creator_client: Client
) -> None:
    package = PackageFactory(creator=creator)
    SubscriptionFactory.create_batch(51, package=package)
    first = creator_client.get(SUBSCRIBERS, {"state": "all", "package": package.pk})
    assert len(first.context["rows"]) == 50
    assert f'href="?state=all&amp;package={package.pk}&amp;page=2"' in text(first)
    second = creator_client.get(SUBSCRIBERS, {"state": "all", "package": package.pk, "page": 2})
    assert len(second.context["rows"]) == 1


def test_an_empty_list_says_so(creator_client: Client) -> None:
    response = creator_client.get(SUBSCRIBERS)
    assert response.status_code == 200
    assert "No subscribers yet" in text(response)


# The user (the session is cached), then: the chosen package, the filter's packages, the count
# and the page; the CSV: the chosen package and the rows, streamed.
@pytest.mark.parametrize(("url", "pinned"), [(SUBSCRIBERS, 5), (SUBSCRIBERS_CSV, 3)])
def test_the_subscribers_queries_do_not_grow_with_the_list(
    creator: CreatorProfile,
    creator_client: Client,
    url: str,
    pinned: int,
    django_assert_num_queries: Callable,
) -> None:
    package = PackageFactory(creator=creator)
    SubscriptionFactory(package=package, state=State.CANCELLED, ended_at=timezone.now())

    def load() -> None:
        response = creator_client.get(url, {"state": "all", "package": package.pk})
        assert response.status_code == 200
        if response.streaming:
            assert len(b"".join(response.streaming_content).splitlines()) > 1

    load()  # fills the caches every page reads (the session, the unread notifications)
    with django_assert_num_queries(pinned):
        load()
    SubscriptionFactory.create_batch(29, package=package)
    load()  # fills the caches every page reads (the session, the unread notifications)
    with django_assert_num_queries(pinned):
        load()


def test_the_csv_has_every_subscriber_of_the_filter_and_a_sensible_name(
    creator: CreatorProfile, creator_client: Client
) -> None:
    package = PackageFactory(creator=creator, name="Gold", monthly_price_minor=1_250)
    started = timezone.now() - timedelta(days=40)
    SubscriptionFactory.create_batch(60, package=package)
    SubscriptionFactory(
        package=package,
        fan=named_fan("first@example.com"),
        started_at=started - timedelta(days=400),
        months_paid=14,
        founder_number=1,
    )
    SubscriptionFactory(
        package=package, state=State.LAPSED, ended_at=timezone.now() - timedelta(days=3)
    )
    SubscriptionFactory(fan=named_fan("elsewhere@example.com"))

    response = creator_client.get(SUBSCRIBERS_CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert response["Content-Disposition"] == (
        f'attachment; filename="subscribers-{creator.handle}-live-{today}.csv"'
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == selectors_studio.CSV_HEADER
    assert len(rows) == 1 + 61  # every live one, beyond the page's 50; not the lapsed one
    assert rows[-1] == [
        "first@example.com",
        "Gold",
        "Monthly",
        "12.50",
        "USD",
        (started - timedelta(days=400)).date().isoformat(),
        "Active",
        "14",
        "Founder · 1 year",
    ]
    assert not any("elsewhere@example.com" in row for row in rows)

    ended = creator_client.get(SUBSCRIBERS_CSV, {"state": "ended", "package": package.pk})
    assert f"subscribers-{creator.handle}-ended-gold-{today}.csv" in ended["Content-Disposition"]
    ended_rows = list(csv.reader(io.StringIO(b"".join(ended.streaming_content).decode())))
    assert len(ended_rows) == 2 and ended_rows[1][6].startswith("Lapsed on ")


def test_the_csv_never_hands_a_spreadsheet_a_formula(
    creator: CreatorProfile, creator_client: Client
) -> None:
    package = PackageFactory(creator=creator, name='=HYPERLINK("http://evil.example","x")')
    for email in ("=1+2@example.com", "+cmd@example.com", "-2@example.com", "@sum@example.com"):
        SubscriptionFactory(package=package, fan=named_fan(email))
    SubscriptionFactory(package=PackageFactory(creator=creator, name=" \t=A1"))

    response = creator_client.get(SUBSCRIBERS_CSV)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[1:]
    cells = [cell for row in rows for cell in row]
    assert "'=1+2@example.com" in cells and "'+cmd@example.com" in cells
    assert "'-2@example.com" in cells and "'@sum@example.com" in cells
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "' \t=A1" in cells
    assert not [c for c in cells if c.lstrip()[:1] in ("=", "+", "-", "@")]


def test_csv_safe_leaves_plain_text_and_numbers_alone() -> None:
    assert selectors_studio.csv_safe("Gold") == "Gold"
    assert selectors_studio.csv_safe("12.50") == "12.50"
    assert selectors_studio.csv_safe("") == ""
    assert selectors_studio.csv_safe("=1") == "'=1"
    assert selectors_studio.csv_safe("\uff1d1") == "'\uff1d1"


# --- revenue ----------------------------------------------------------------------------------


def test_revenue_shows_mrr_with_an_annual_price_as_a_twelfth_and_who_came_and_went(
    creator: CreatorProfile, creator_client: Client
) -> None:
    now = timezone.now()
    package = PackageFactory(creator=creator, monthly_price_minor=500, annual_price_minor=5_000)
    SubscriptionFactory(package=package)  # 5.00 a month, started 3 days ago: new
    SubscriptionFactory(
        package=package,
        billing=Billing.ANNUAL,
        price_minor=5_000,
        started_at=now - timedelta(days=200),
    )  # 50.00 a year: 4.17 a month
    SubscriptionFactory(
        package=package,
        state=State.CANCELLED,
        started_at=now - timedelta(days=90),
        ended_at=now - timedelta(days=10),
    )  # churned
    SubscriptionFactory(
        package=package,
        state=State.LAPSED,
        started_at=now - timedelta(days=20),
        ended_at=now - timedelta(days=5),
    )  # new and churned within the month
    SubscriptionFactory(
        package=package,
        state=State.LAPSED,
        started_at=now - timedelta(days=200),
        ended_at=now - timedelta(days=45),
    )  # left before the month
    SubscriptionFactory(package=package, state=State.REFUSED, ended_at=now)  # never subscribed
    SubscriptionFactory(package__monthly_price_minor=9_900)  # another creator's

    response = creator_client.get(REVENUE)
    body = text(response)
    assert response.status_code == 200
    overview = response.context["overview"]
    assert [(a.amount, a.currency) for a in overview.mrr] == [(917, "USD")]
    assert (overview.live, overview.new, overview.churned) == (2, 2, 2)
    assert '<p class="card-value" data-testid="mrr">9.17 USD</p>' in body
    assert '<p class="card-value" data-testid="live">2</p>' in body
    assert '<p class="card-value" data-testid="new">2</p>' in body
    assert '<p class="card-value" data-testid="churned">2</p>' in body


def test_mrr_is_kept_apart_by_currency(creator: CreatorProfile) -> None:
    SubscriptionFactory(package=PackageFactory(creator=creator, currency="EUR"))
    SubscriptionFactory(package=PackageFactory(creator=creator, currency="USD"))
    SubscriptionFactory(package__creator=creator, state=State.TRIALING)
    overview = selectors_studio.overview(creator)
    assert [(a.amount, a.currency) for a in overview.mrr] == [(500, "EUR"), (1_000, "USD")]
    assert (overview.live, overview.trialing) == (3, 1)


def test_revenue_charts_twelve_months_of_paid_charges_split_into_share_and_fee(
    creator: CreatorProfile, creator_client: Client
) -> None:
    now = timezone.now()
    package = PackageFactory(creator=creator, monthly_price_minor=1_000)
    first = now - timedelta(days=65)
    subscription = subscribe(FanFactory(), package, now=first)
    services.renew_due(now=subscription.current_period_end + timedelta(minutes=1))
    subscribe(FanFactory(), package, key="k2", now=now)
    with pytest.raises(services.SubscriptionError):
        subscribe(FanFactory(), package, key="k3", now=now, number=DECLINES_CHARGES)
    subscribe(FanFactory(), PackageFactory(), key="k4", now=now)  # another creator's

    response = creator_client.get(REVENUE)
    body = text(response)
    [revenue] = response.context["revenues"]
    assert revenue.currency == "USD" and len(revenue.months) == 12
    paid = {m.start: (m.gross, m.share, m.fee) for m in revenue.months if m.gross}
    assert sum(g for g, _, _ in paid.values()) == 3_000  # the refused charge is no revenue
    assert sum(s for _, s, _ in paid.values()) == 2_100
    assert sum(f for _, _, f in paid.values()) == 900
    assert revenue.months[-1].start == now.date().replace(day=1)
    assert revenue.months[-1].gross >= 1_000
    assert '<figure class="chart">' in body and "<svg viewBox=" in body
    assert "Subscription revenue by month, in USD" in body
    assert "Your share" in body and "Platform fee" in body
    assert "30.00 USD" in body and "21.00 USD" in body and "9.00 USD" in body


def test_the_chart_counts_each_month_and_currency_apart(creator: CreatorProfile) -> None:
    now = datetime(2026, 5, 20, 12, tzinfo=timezone.get_current_timezone())
    usd = SubscriptionFactory(package__creator=creator)
    eur = SubscriptionFactory(package=PackageFactory(creator=creator, currency="EUR"))

    def charge(
        subscription: Subscription, when: datetime, amount: int, state: str = ChargeState.SUCCEEDED
    ) -> None:
        fee = amount * 30 // 100 if state == ChargeState.SUCCEEDED else 0
        SubscriptionCharge.objects.create(
            subscription=subscription,
            kind=ChargeKind.RENEWAL,
            idempotency_key=f"{subscription.pk}:{when.isoformat()}:{amount}",
            period_start=when,
            period_end=when + timedelta(days=30),
            amount_minor=amount,
            currency=subscription.currency,
            state=state,
            share_pct=70 if fee else 0,
            platform_fee_minor=fee,
            creator_share_minor=amount - fee if fee else 0,
            created_at=when,
        )

    charge(usd, datetime(2026, 5, 1, tzinfo=now.tzinfo), 1_000)
    charge(usd, datetime(2026, 5, 19, tzinfo=now.tzinfo), 500)
    charge(usd, datetime(2026, 3, 31, 23, tzinfo=now.tzinfo), 2_000)
    charge(usd, datetime(2026, 4, 2, tzinfo=now.tzinfo), 700, state=ChargeState.FAILED)
    charge(usd, datetime(2025, 5, 31, tzinfo=now.tzinfo), 9_000)  # before the 12 months
    charge(eur, datetime(2025, 6, 1, tzinfo=now.tzinfo), 800)

    eur_revenue, usd_revenue = selectors_studio.monthly_revenue(creator, now=now)
    assert eur_revenue.currency == "EUR"
    assert eur_revenue.months[0] == selectors_studio.MonthRevenue(date(2025, 6, 1), 800, 560, 240)
    assert [m.start for m in usd_revenue.months][::11] == [date(2025, 6, 1), date(2026, 5, 1)]
    by_month = {m.start: (m.gross, m.share, m.fee) for m in usd_revenue.months if m.gross}
    assert by_month == {
        date(2026, 3, 1): (2_000, 1_400, 600),
        date(2026, 5, 1): (1_500, 1_050, 450),
    }
    chart = usd_revenue.chart
    assert chart.series == ("Your share", "Platform fee")
    # 10.50 and 4.50 round to 11 and 4, not 11 and 5: the parts add up to the 15.00 paid.
    assert [bar.value for bar in chart.bars][-3:] == [20, 0, 15]
    assert [part.value for part in chart.bars[-1].segments] == [11, 4]
    assert usd_revenue.gross_display == "35.00 USD"


def test_the_charges_table_labels_a_failed_charge_and_gives_it_no_share(
    creator: CreatorProfile, creator_client: Client
) -> None:
    package = PackageFactory(creator=creator, name="Gold", monthly_price_minor=1_000)
    subscribe(named_fan("paid@example.com"), package)
    with pytest.raises(services.SubscriptionError):
        subscribe(named_fan("failed@example.com"), package, number=DECLINES_CHARGES)
    subscribe(named_fan("elsewhere@example.com"), PackageFactory(), key="k9")
    old = subscribe(named_fan("old@example.com"), package, key="k8")
    old.charges.update(created_at=timezone.now() - timedelta(days=91))

    response = creator_client.get(REVENUE)
    rows = {row.fan: row for row in response.context["rows"]}
    assert set(rows) == {"paid@example.com", "failed@example.com"}
    paid, failed = rows["paid@example.com"], rows["failed@example.com"]
    assert (paid.kind, paid.gross, paid.fee, paid.share, paid.state) == (
        "First payment",
        "10.00 USD",
        "3.00 USD",
        "7.00 USD",
        "Paid",
    )
    assert (failed.gross, failed.fee, failed.share, failed.state, failed.tone) == (
        "10.00 USD",
        "",
        "",
        "Failed",
        "bad",
    )
    body = text(response)
    assert "failed@example.com" in body and "elsewhere@example.com" not in body
    assert "old@example.com" not in body


def test_revenue_says_what_the_creator_lacks_for_the_raised_share(
    creator: CreatorProfile, creator_client: Client
) -> None:
    body = text(creator_client.get(REVENUE))
    assert "You keep 70 %" in body
    assert "You keep <strong>90 %</strong> once you meet every part of this bar" in body
    assert "10,000 followers" in body and "9,000 more followers" in body
    assert "100,000 more views" in body and "3 more posts" in body
    assert "You have the raised share" not in body


def test_revenue_says_when_the_creator_has_the_raised_share(
    creator: CreatorProfile, creator_client: Client
) -> None:
    CreatorProfile.objects.filter(pk=creator.pk).update(followers=20_000)
    VideoDayFactory(video=VideoFactory(creator=creator), day=timezone.localdate(), views=150_000)
    package = PackageFactory(creator=creator)
    for n in range(3):
        Post.objects.create(creator=creator, title=f"Post {n}", body="Hi").packages.add(package)

    body = text(creator_client.get(REVENUE))
    assert "You keep 90 %" in body and "You have the raised share" in body
    assert "more followers" not in body


def test_an_empty_revenue_page_says_so(creator_client: Client) -> None:
    body = text(creator_client.get(REVENUE))
    assert "No revenue yet" in body and "No recent charges" in body
    assert '<figure class="chart">' not in body


def test_the_revenue_queries_do_not_grow_with_the_subscribers(
    creator: CreatorProfile, creator_client: Client, django_assert_num_queries: Callable
) -> None:
    package = PackageFactory(creator=creator)
    subscribe(FanFactory(), package)

    def load() -> None:
        assert creator_client.get(REVENUE).status_code == 200

    load()  # fills the caches every page reads (the staff-set rules among them)
    # The user; MRR and the subscribers who came and went (2); the chart (1); the share: views
    # and posts (2); the charges' count and page (2).
    with django_assert_num_queries(8):
        load()
    for n in range(29):
        subscribe(FanFactory(), package, key=f"more{n}")
    assert SubscriptionCharge.objects.filter(subscription__creator=creator).count() == 30
    load()  # the new subscribers' notifications emptied the creator's unread count
    with django_assert_num_queries(8):
        load()


# --- perks ------------------------------------------------------------------------------------


def test_perks_to_deliver_are_listed_by_month_then_fan_with_their_package(
    creator: CreatorProfile, creator_client: Client
) -> None:
    zed, amy = named_fan("zed@example.com"), named_fan("amy@example.com")
    april_zed = perk_delivery(creator, zed, due=date(2026, 4, 1))
    march_zed = perk_delivery(creator, zed, due=date(2026, 3, 1))
    april_amy = perk_delivery(creator, amy, due=date(2026, 4, 1))
    done = perk_delivery(creator, amy, perk="Sticker pack", due=date(2026, 3, 1))
    PerkDelivery.objects.filter(pk=done.pk).update(delivered_at=timezone.now())
    theirs = perk_delivery(CreatorFactory(), due=date(2026, 3, 1))

    response = creator_client.get(PERKS)
    body = text(response)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [march_zed, april_amy, april_zed]
    assert body.index("March 2026") < body.index("April 2026")
    assert f'name="delivery" value="{march_zed.pk}"' in body
    assert f'name="only" value="{april_amy.pk}"' in body
    assert march_zed.perk.package.name in body
    assert f'data-delivery="{theirs.pk}"' not in body and f'data-delivery="{done.pk}"' not in body

    delivered = creator_client.get(PERKS, {"show": "delivered"})
    assert list(delivered.context["page"].object_list) == [done]
    assert f'name="only" value="{done.pk}"' not in text(delivered)
    every = creator_client.get(PERKS, {"show": "all"})
    assert list(every.context["page"].object_list) == [april_amy, april_zed, done, march_zed]
    assert every.context["counts"] == {"due": 3, "delivered": 1, "all": 4}
    assert creator_client.get(PERKS, {"show": "nope"}).status_code == 400


def test_an_empty_perks_list_says_so(creator_client: Client) -> None:
    assert "Nothing to deliver" in text(creator_client.get(PERKS))


def test_a_subscribers_monthly_perk_becomes_due_when_they_pay(
    creator: CreatorProfile, creator_client: Client
) -> None:
    package = PackageFactory(creator=creator)
    CustomPerk.objects.create(package=package, name="Monthly shout-out", cadence="monthly")
    subscribe(named_fan("payer@example.com"), package)
    body = text(creator_client.get(PERKS))
    assert "Monthly shout-out" in body and "payer@example.com" in body


def test_marking_the_selected_perks_delivered_tells_each_fan_once(
    creator: CreatorProfile, creator_client: Client
) -> None:
    amy, zed = FanFactory(), FanFactory()
    one = perk_delivery(creator, amy, due=date(2026, 3, 1))
    two = perk_delivery(creator, amy, due=date(2026, 4, 1))
    three = perk_delivery(creator, zed, due=date(2026, 4, 1))
    left = perk_delivery(creator, zed, due=date(2026, 5, 1))
    before = Notification.objects.count()

    response = creator_client.post(
        PERKS, {"delivery": [one.pk, two.pk, three.pk], "show": "due", "page": 1}, follow=True
    )
    assert response.redirect_chain == [(PERKS, 302)]
    assert "Marked 3 perks delivered; the fans were told." in text(response)
    delivered = set(
        PerkDelivery.objects.filter(delivered_at__isnull=False).values_list("pk", flat=True)
    )
    assert delivered == {one.pk, two.pk, three.pk}
    left.refresh_from_db()
    assert left.delivered_at is None
    assert Notification.objects.count() == before + 2
    [told] = Notification.objects.filter(user=amy)
    assert told.subject == f"@{creator.handle} delivered 2 of your perks"
    assert "Shout-out (March 2026), Shout-out (April 2026)" in told.body
    assert told.link == reverse("subscriptions:mine")
    assert Notification.objects.get(user=zed).subject == (
        f"@{creator.handle} delivered your perk: Shout-out"
    )
    assert list(response.context["page"].object_list) == [left]


def test_a_rows_own_button_marks_only_that_perk(
    creator: CreatorProfile, creator_client: Client
) -> None:
    one = perk_delivery(creator, due=date(2026, 3, 1))
    checked = perk_delivery(creator, due=date(2026, 3, 1))
    response = creator_client.post(
        PERKS, {"only": one.pk, "delivery": [checked.pk], "show": "all", "page": 2}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{PERKS}?show=all&page=2"
    one.refresh_from_db()
    checked.refresh_from_db()
    assert one.delivered_at is not None and checked.delivered_at is None


def test_another_creators_perk_is_left_alone_and_reported(
    creator: CreatorProfile, creator_client: Client
) -> None:
    mine = perk_delivery(creator, due=date(2026, 3, 1))
    theirs = perk_delivery(CreatorFactory(), due=date(2026, 3, 1))
    response = creator_client.post(PERKS, {"delivery": [mine.pk, theirs.pk]}, follow=True)
    body = text(response)
    assert "Marked 1 perk delivered; the fan was told." in body
    assert "1 chosen perk is not due to any of your subscribers: nothing changed for it." in body
    theirs.refresh_from_db()
    assert theirs.delivered_at is None
    assert not Notification.objects.filter(user=theirs.subscription.fan).exists()

    alone = creator_client.post(PERKS, {"only": theirs.pk}, follow=True)
    assert "1 chosen perk is not due to any of your subscribers" in text(alone)
    assert "Marked" not in text(alone)
    theirs.refresh_from_db()
    assert theirs.delivered_at is None


def test_marking_a_delivered_perk_again_changes_nothing(
    creator: CreatorProfile, creator_client: Client
) -> None:
    delivery = perk_delivery(creator, due=date(2026, 3, 1))
    creator_client.post(PERKS, {"only": delivery.pk})
    delivery.refresh_from_db()
    first = delivery.delivered_at
    notified = Notification.objects.filter(user=delivery.subscription.fan).count()

    again = creator_client.post(PERKS, {"only": delivery.pk}, follow=True)
    assert "1 perk was already delivered and kept its date." in text(again)
    delivery.refresh_from_db()
    assert delivery.delivered_at == first
    assert Notification.objects.filter(user=delivery.subscription.fan).count() == notified


def test_nothing_chosen_or_a_garbled_id_is_said_plainly(creator_client: Client) -> None:
    nothing = creator_client.post(PERKS, {}, follow=True)
    assert "Choose the perks to mark delivered first." in text(nothing)
    garbled = creator_client.post(PERKS, {"delivery": ["x"]}, follow=True)
    assert "That selection was not understood." in text(garbled)
    huge = creator_client.post(PERKS, {"delivery": [str(2**70)]}, follow=True)
    assert "That selection was not understood." in text(huge)


def test_htmx_marks_delivered_and_answers_the_list_with_its_message(
    creator: CreatorProfile, creator_client: Client
) -> None:
    delivery = perk_delivery(creator, due=date(2026, 3, 1))
    other = perk_delivery(creator, due=date(2026, 3, 1))
    response = creator_client.post(PERKS, {"only": delivery.pk, "show": "due"}, headers=HTMX)
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div class="studio-perks" id="perk-deliveries">')
    assert '<span class="studio-count">1</span>' in body  # the counts follow the change
    assert "<html" not in body
    assert "Marked 1 perk delivered; the fan was told." in body
    assert f'data-delivery="{delivery.pk}"' not in body and f'data-delivery="{other.pk}"' in body
    # The message was shown in the list, not kept for the next page.
    assert "Marked 1 perk" not in text(creator_client.get(PERKS))


def test_the_perks_page_renders_whole_without_htmx(creator_client: Client) -> None:
    body = text(creator_client.get(PERKS))
    assert "<html" in body and 'id="perk-deliveries"' in body
    assert 'hx-post="' in body and 'method="post"' in body


def test_the_perks_queries_do_not_grow_with_the_list(
    creator: CreatorProfile, creator_client: Client, django_assert_num_queries: Callable
) -> None:
    perk_delivery(creator, due=date(2026, 3, 1))

    def load() -> None:
        assert creator_client.get(PERKS, {"show": "all"}).status_code == 200

    # The user; the counts, the page's count and the page itself.
    load()  # fills the caches every page reads (the session, the unread notifications)
    with django_assert_num_queries(4):
        load()
    for n in range(29):
        perk_delivery(creator, due=date(2026, 1 + n % 6, 1))
    load()  # fills the caches every page reads (the session, the unread notifications)
    with django_assert_num_queries(4):
        load()


def test_the_overview_queries_do_not_grow(
    creator: CreatorProfile, creator_client: Client, django_assert_num_queries: Callable
) -> None:
    def load() -> None:
        assert creator_client.get(STUDIO).status_code == 200

    perk_delivery(creator, due=date(2026, 3, 1))
    # The user; MRR and the subscribers who came and went (2); the perks' counts; packages.
    load()  # fills the caches every page reads (the session, the unread notifications)
    with django_assert_num_queries(5):
        load()
    for n in range(29):
        perk_delivery(creator, due=date(2026, 3, 1), perk=f"Perk {n}")
    load()  # fills the caches every page reads (the session, the unread notifications)
    with django_assert_num_queries(5):
        load()


# --- mark_perks_delivered ---------------------------------------------------------------------


def test_mark_perks_delivered_changes_only_the_creators_undelivered_ones() -> None:
    creator = CreatorFactory()
    fan = FanFactory()
    mine = perk_delivery(creator, fan, due=date(2026, 3, 1))
    done = perk_delivery(creator, fan, perk="Sticker pack", due=date(2026, 3, 1))
    earlier = timezone.now() - timedelta(days=3)
    PerkDelivery.objects.filter(pk=done.pk).update(delivered_at=earlier)
    theirs = perk_delivery(CreatorFactory(), due=date(2026, 3, 1))
    now = timezone.now()

    changed = studio.mark_perks_delivered(
        creator=creator, delivery_ids=[mine.pk, done.pk, theirs.pk, 10**9], now=now
    )
    assert changed == 1
    assert PerkDelivery.objects.get(pk=mine.pk).delivered_at == now
    assert PerkDelivery.objects.get(pk=done.pk).delivered_at == earlier
    assert PerkDelivery.objects.get(pk=theirs.pk).delivered_at is None
    assert Notification.objects.filter(user=fan).count() == 1
    assert not Notification.objects.filter(user=theirs.subscription.fan).exists()

    assert studio.mark_perks_delivered(creator=creator, delivery_ids=[mine.pk]) == 0
    assert studio.mark_perks_delivered(creator=creator, delivery_ids=[]) == 0
    assert Notification.objects.filter(user=fan).count() == 1
