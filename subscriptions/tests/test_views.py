"""The creator page, subscribing from it, the fan's subscriptions and the creator's packages,
as each role meets them."""

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Standing
from accounts.tests.factories import CreatorFactory, FanFactory
from subscriptions import posts, services
from subscriptions.models import ChargeState, Invitation, Package, Post, State, Subscription
from subscriptions.tests.factories import (
    DECLINES_CHARGES,
    PackageFactory,
    SubscriptionFactory,
    card_for,
)

pytestmark = pytest.mark.django_db


def page_of(package: Package) -> str:
    return reverse("subscriptions:creator_page", kwargs={"handle": package.creator.handle})


def subscribe_url(package: Package) -> str:
    return reverse(
        "subscriptions:subscribe",
        kwargs={"handle": package.creator.handle, "package_id": package.pk},
    )


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields of the subscribe form (the key and the prices it showed)."""
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def test_anyone_can_browse_a_creators_page_with_packages_and_perks(client: Client) -> None:
    package = PackageFactory(name="Insider", monthly_price_minor=999, has_trial=True)
    package.custom_perks.create(name="Monthly shout-out", cadence="monthly")
    PackageFactory(creator=package.creator, name="Draft", published_at=None)
    response = client.get(page_of(package))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Insider" in html and "9.99 USD" in html and "7-day free trial" in html
    assert "Monthly shout-out" in html and "Subscriber-only chat" in html
    assert "Draft" not in html  # unpublished packages are not offered
    assert subscribe_url(package) in html


def test_the_handle_is_case_insensitive_and_a_suspended_creator_is_not_found(
    client: Client,
) -> None:
    package = PackageFactory(creator__handle="MiaMakes")
    assert client.get("/@miamakes/").status_code == 301
    package.creator.standing = Standing.SUSPENDED
    package.creator.save()
    assert client.get("/@MiaMakes/").status_code == 404
    assert client.get("/@nobody_here/").status_code == 404


def test_a_visitor_who_subscribes_signs_in_first_and_comes_back(client: Client) -> None:
    package = PackageFactory()
    response = client.get(subscribe_url(package))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert f"next={subscribe_url(package)}" in unquote(response["Location"])


def test_creators_and_brands_cannot_subscribe(creator_client: Client, brand_client: Client) -> None:
    package = PackageFactory()
    assert creator_client.get(subscribe_url(package)).status_code == 403
    assert brand_client.get(subscribe_url(package)).status_code == 403


def test_a_fan_subscribes_with_a_saved_card_and_lands_on_the_posts() -> None:
    package = PackageFactory(monthly_price_minor=500)
    fan = FanFactory()
    card = card_for(fan)
    client = client_for(fan)
    fields = form_fields(client.get(subscribe_url(package)).content.decode())
    data = {**fields, "billing": "monthly", "card": str(card.pk)}
    response = client.post(subscribe_url(package), data)
    assert response.status_code == 302
    assert response["Location"] == page_of(package)
    again = client.post(subscribe_url(package), data)  # a double submit
    assert again.status_code == 302
    subscription = Subscription.objects.get(fan=fan)
    assert subscription.state == State.ACTIVE
    assert subscription.charges.filter(state=ChargeState.SUCCEEDED).count() == 1
    html = client.get(page_of(package)).content.decode()
    assert "You subscribe with" in html


def test_a_declined_card_is_refused_with_a_clear_message_and_gives_no_access() -> None:
    package = PackageFactory()
    fan = FanFactory()
    client = client_for(fan)
    fields = form_fields(client.get(subscribe_url(package)).content.decode())
    response = client.post(
        subscribe_url(package),
        {
            **fields,
            "billing": "monthly",
            "card": "new",
            "number": DECLINES_CHARGES,
            "exp_month": "12",
            "exp_year": str(timezone.now().year + 2),
            "cvc": "123",
        },
    )
    assert response.status_code == 402
    assert "Your card was declined." in response.content.decode()
    # The card number is never written back into the page.
    assert DECLINES_CHARGES not in response.content.decode()
    assert not Subscription.objects.filter(fan=fan, state__in=["active", "trialing"]).exists()
    # The page offers a fresh key, so trying another card is a new attempt.
    assert form_fields(response.content.decode())["request_key"] != fields["request_key"]
    # The refused card is not offered again (here, nor on the cards page).
    assert "•••• 0341" not in response.content.decode()
    assert "•••• 0341" not in client.get(reverse("payments:cards")).content.decode()


def test_a_price_changed_while_paying_charges_nothing_and_shows_the_new_price() -> None:
    package = PackageFactory(monthly_price_minor=500)
    fan = FanFactory()
    card = card_for(fan)
    client = client_for(fan)
    fields = form_fields(client.get(subscribe_url(package)).content.decode())
    Package.objects.filter(pk=package.pk).update(monthly_price_minor=700)
    response = client.post(
        subscribe_url(package), {**fields, "billing": "monthly", "card": card.pk}
    )
    assert response.status_code == 400
    assert "changed to 7.00 USD" in response.content.decode()
    assert not Subscription.objects.filter(fan=fan).exists()


def test_a_new_card_without_its_number_is_a_form_error() -> None:
    package = PackageFactory()
    client = client_for(FanFactory())
    fields = form_fields(client.get(subscribe_url(package)).content.decode())
    response = client.post(subscribe_url(package), {**fields, "billing": "monthly", "card": "new"})
    assert response.status_code == 400
    assert "Needed for a new card." in response.content.decode()


def test_my_subscriptions_cancel_resume_and_switch() -> None:
    now = timezone.now()
    subscription = SubscriptionFactory(
        started_at=now - timedelta(days=10), current_period_end=now + timedelta(days=20)
    )
    bigger = PackageFactory(creator=subscription.creator, name="VIP", monthly_price_minor=3_000)
    client = client_for(subscription.fan)
    html = client.get(reverse("subscriptions:mine")).content.decode()
    assert subscription.package.name in html and "1 month" in html  # the badge

    assert client.post(reverse("subscriptions:cancel", args=[subscription.pk])).status_code == 302
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end
    assert client.post(reverse("subscriptions:resume", args=[subscription.pk])).status_code == 302
    subscription.refresh_from_db()
    assert not subscription.cancel_at_period_end

    switch_page = client.get(reverse("subscriptions:switch", args=[subscription.pk]))
    assert "You pay" in switch_page.content.decode() and "VIP" in switch_page.content.decode()
    response = client.post(
        reverse("subscriptions:switch", args=[subscription.pk]),
        {"option": f"{bigger.pk}:monthly", "request_key": "a" * 32},
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.package == bigger


def test_a_fan_cannot_touch_another_fans_subscription() -> None:
    subscription = SubscriptionFactory()
    other = client_for(FanFactory())
    for name in ("cancel", "resume"):
        assert (
            other.post(reverse(f"subscriptions:{name}", args=[subscription.pk])).status_code == 404
        )
    assert other.get(reverse("subscriptions:switch", args=[subscription.pk])).status_code == 404
    assert subscription.fan.email not in other.get(reverse("subscriptions:mine")).content.decode()


def test_a_creator_makes_a_package_and_publishes_it_once_eligible() -> None:
    creator = CreatorFactory(followers=2_000)
    client = client_for(creator.user)
    response = client.post(
        reverse("subscriptions:package_new"),
        {
            "name": "Insider",
            "description": "Behind the scenes",
            "currency": "USD",
            "monthly_price": "9.99",
            "annual_price": "99",
            "has_trial": "on",
            "includes_chat": "on",
            "perk_1": "Monthly shout-out",
            "perk_1_cadence": "monthly",
        },
    )
    assert response.status_code == 302
    package = creator.packages.get()
    assert (package.monthly_price_minor, package.annual_price_minor) == (999, 9_900)
    assert [p.name for p in package.custom_perks.all()] == ["Monthly shout-out"]
    publish = reverse("subscriptions:package_publish", args=[package.pk])
    refused = client.post(publish, {"action": "publish"})
    assert refused.status_code == 400 and "cannot publish" in refused.content.decode()
    Invitation.objects.create(creator=creator)
    assert client.post(publish, {"action": "publish"}).status_code == 302
    package.refresh_from_db()
    assert package.is_published


def test_bad_package_input_is_a_form_error(creator_client: Client) -> None:
    response = creator_client.post(
        reverse("subscriptions:package_new"),
        {"name": "X", "currency": "USD", "monthly_price": "9.999"},
    )
    assert response.status_code == 400
    assert "no more than 2 decimal places" in response.content.decode()


def test_a_creator_cannot_edit_or_publish_another_creators_package(
    creator_client: Client,
) -> None:
    theirs = PackageFactory()
    assert (
        creator_client.get(reverse("subscriptions:package_edit", args=[theirs.pk])).status_code
        == 404
    )
    response = creator_client.post(
        reverse("subscriptions:package_publish", args=[theirs.pk]), {"action": "unpublish"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_published


def test_fans_and_brands_cannot_manage_packages(fan_client: Client, brand_client: Client) -> None:
    for client in (fan_client, brand_client):
        assert client.get(reverse("subscriptions:packages")).status_code == 403
        assert client.get(reverse("subscriptions:package_new")).status_code == 403


def test_a_fourth_package_is_refused(creator_client: Client, creator: object) -> None:
    for n in range(3):
        PackageFactory(creator=creator, name=f"P{n}")
    response = creator_client.get(reverse("subscriptions:package_new"))
    assert response.status_code == 302


@pytest.mark.parametrize("packages", [1, 3])
def test_the_creator_page_runs_the_same_queries_whatever_the_packages(
    packages: int, client: Client, django_assert_max_num_queries: object
) -> None:
    creator = CreatorFactory()
    for n in range(packages):
        package = PackageFactory(creator=creator, name=f"P{n}")
        package.custom_perks.create(name="Shout-out", cadence="monthly")
    with django_assert_max_num_queries(10):
        assert client.get(f"/@{creator.handle}/").status_code == 200


def test_a_cached_creator_page_reads_only_the_creator_and_the_viewers_subscription(
    django_assert_num_queries: object,
) -> None:
    package = PackageFactory()
    fan = FanFactory()
    services.subscribe(
        fan=fan, package=package, billing="monthly", card=card_for(fan), request_key="k1"
    )
    client = client_for(fan)
    first = client.get(page_of(package)).content.decode()
    # the creator, the signed-in fan (the session is in the cache), the fan's subscription
    with django_assert_num_queries(3):
        again = client.get(page_of(package)).content.decode()
    main = re.compile(r"<main.*</main>", re.S)
    assert main.search(again)[0] == main.search(first)[0]
    assert "You subscribe with" in again


def test_the_cached_creator_page_shows_each_change_at_once(client: Client) -> None:
    package = PackageFactory(name="Insider")
    creator = package.creator
    second = PackageFactory(creator=creator, name="Second")
    assert "No posts yet" in client.get(page_of(package)).content.decode()

    posts.publish_post(creator=creator, title="Behind the scenes", body="Hi", packages=[package])
    services.save_package(
        creator=creator,
        package=second,
        name="Backstage",
        description="",
        currency="USD",
        monthly_price_minor=1999,
        annual_price_minor=None,
        has_trial=False,
        member_cap=None,
        includes_chat=False,
        includes_emojis=False,
    )
    fan = FanFactory()
    services.subscribe(
        fan=fan, package=package, billing="monthly", card=card_for(fan), request_key="k2"
    )
    html = client.get(page_of(package)).content.decode()
    assert "Behind the scenes" in html and "Backstage" in html
    assert re.search(r"<dt>Subscribers</dt><dd>1</dd>", html)


def test_each_kind_of_viewer_gets_their_own_cached_page(client: Client) -> None:
    package = PackageFactory(name="Insider")
    fan, other_fan = FanFactory(), FanFactory()
    services.subscribe(
        fan=fan, package=package, billing="monthly", card=card_for(fan), request_key="k3"
    )
    assert "Subscribe" in client.get(page_of(package)).content.decode()  # cached for visitors
    mine = client_for(fan).get(page_of(package)).content.decode()
    assert "You subscribe with Insider" in mine and "Your package" in mine
    theirs = client_for(other_fan).get(page_of(package)).content.decode()
    assert "You subscribe with" not in theirs and subscribe_url(package) in theirs
    own = client_for(package.creator.user).get(page_of(package)).content.decode()
    assert "This is your public page" in own and "You subscribe with" not in own


def test_discover_links_to_creator_pages_and_searches(fan_client: Client) -> None:
    mia = CreatorFactory(handle="mia_makes", display_name="Mia Makes")
    CreatorFactory(handle="other_one", display_name="Someone Else")
    html = fan_client.get(reverse("portal:fan_home"), {"q": "@mia"}).content.decode()
    assert f'href="/@{mia.handle}/"' in html
    assert "Someone Else" not in html


def test_the_dashboards_path_to_subscriptions_follows_the_rule_staff_set(
    creator_client: Client, staff_client: Client
) -> None:
    page = creator_client.get(reverse("rewards:dashboard")).content.decode()
    assert "1,000 followers" in page and reverse("subscriptions:packages") in page
    response = staff_client.post(
        reverse("admin:subscriptions_rules_change", args=[1]),  # the one row
        {
            "invite_only": "on",
            "min_age": "18",
            "min_followers": "5000",
            "creator_share_pct": "75",
            "raised_share_pct": "90",
            "raised_min_followers": "10000",
            "raised_min_views_30d": "100000",
            "raised_min_posts_30d": "3",
            "audit_reason": "Opening subscriptions to more creators",
        },
    )
    assert response.status_code == 302
    cache.clear()  # the dashboard's cached regions live five minutes at most (core.regions)
    page = creator_client.get(reverse("rewards:dashboard")).content.decode()
    assert "5,000 followers" in page


def test_staff_invite_a_creator_from_admin(staff_client: Client, staff: object) -> None:
    creator = CreatorFactory()
    response = staff_client.post(
        reverse("admin:subscriptions_invitation_add"),
        {"creator": creator.pk, "note": "Hi", "audit_reason": "Launch cohort"},
    )
    assert response.status_code == 302
    assert Invitation.objects.get(creator=creator).invited_by == staff


def test_member_counts_are_not_multiplied_by_posts(client: Client) -> None:
    package = PackageFactory(member_cap=10)
    SubscriptionFactory(package=package)
    for n in range(3):
        post = Post.objects.create(creator=package.creator, title=f"P{n}", body="x")
        post.packages.add(package)
    html = client.get(page_of(package)).content.decode()
    assert "1 of 10 places taken" in html and "3 exclusive posts" in html
    owner = client_for(package.creator.user)
    assert "1 subscriber" in owner.get(reverse("subscriptions:packages")).content.decode()


def test_a_past_due_fan_pays_with_another_card_at_once() -> None:
    fan = FanFactory()
    now = timezone.now()
    subscription = SubscriptionFactory(
        fan=fan,
        card=card_for(fan, DECLINES_CHARGES),
        started_at=now - timedelta(days=31),
        current_period_end=now - timedelta(hours=1),
    )
    services.renew_due(now=now)
    subscription.refresh_from_db()
    assert subscription.state == State.PAST_DUE
    good = card_for(fan)
    client = client_for(fan)
    assert "Pay with this card" in client.get(reverse("subscriptions:mine")).content.decode()
    response = client.post(
        reverse("subscriptions:change_card", args=[subscription.pk]), {"card": good.pk}
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.state, subscription.card) == (State.ACTIVE, good)
    # Someone else's card is refused.
    other = card_for(FanFactory())
    refused = client.post(
        reverse("subscriptions:change_card", args=[subscription.pk]), {"card": other.pk}
    )
    assert refused.status_code == 400


def test_a_badge_shows_on_the_creator_page_as_soon_as_it_is_granted(client: Client) -> None:
    from accounts.models import Badge
    from accounts.services import grant_badge

    package = PackageFactory()
    assert "Brand-ready" not in client.get(page_of(package)).content.decode()  # now cached
    badge = Badge.objects.create(slug="brand-ready", name="Brand-ready", description="Ready.")
    grant_badge(creator=package.creator, badge=badge, reason="Completed a course")
    assert "Brand-ready" in client.get(page_of(package)).content.decode()


def test_a_locked_post_leads_to_the_cheapest_package_that_unlocks_it(client: Client) -> None:
    cheap = PackageFactory(name="Supporter", monthly_price_minor=300)
    dear = PackageFactory(creator=cheap.creator, name="Insider", monthly_price_minor=900)
    post = posts.publish_post(
        creator=cheap.creator, title="Studio diary", body="Hi", packages=[dear, cheap]
    )
    page = client.get(page_of(cheap)).content.decode()
    assert f'href="{subscribe_url(cheap)}">Subscribe to read: Supporter' in page
    locked = client.get(post.get_absolute_url()).content.decode()
    assert f'href="{subscribe_url(cheap)}">Subscribe: Supporter' in locked


def test_a_fan_cannot_remove_the_card_a_subscription_pays_with(
    fan_client: Client, fan: object
) -> None:
    from payments import selectors as payments_selectors

    spare, paying = card_for(fan), card_for(fan)
    SubscriptionFactory(fan=fan, card=paying, package__creator__handle="mayamakes")
    refused = fan_client.post(reverse("payments:card_remove", args=[paying.pk]), follow=True)
    assert "Your subscription to @mayamakes pays with this card" in refused.content.decode()
    removed = fan_client.post(reverse("payments:card_remove", args=[spare.pk]), follow=True)
    assert "no longer offered" in removed.content.decode()
    assert list(payments_selectors.cards_of(fan)) == [paying]
    other = card_for(FanFactory())
    assert fan_client.post(reverse("payments:card_remove", args=[other.pk])).status_code == 404
    assert fan_client.get(reverse("payments:card_remove", args=[spare.pk])).status_code == 405
