"""A creator's public page, subscribing, the fan's subscriptions, and the creator's packages.

Posts, chat and the creator's studio pages have views of their own (views_posts.py,
views_chat.py, views_studio.py)."""

import secrets
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors as accounts_selectors
from accounts.access import creator_required, fan_required, public
from accounts.models import CreatorBadge, CreatorProfile, Standing, User
from core.http import bad_request
from core.regions import REGION_SECONDS, region_key
from payments import selectors as payments_selectors
from payments import services as payments_services
from payments.models import SavedCard

from . import posts, selectors, services
from .forms import PackageForm, SubscribeForm
from .models import (
    LIVE_STATES,
    MAX_PACKAGES,
    Billing,
    Package,
    PerkDelivery,
    Subscription,
    SubscriptionCharge,
)


def _creator_or_404(handle: str) -> CreatorProfile:
    return get_object_or_404(
        accounts_selectors.public_creators().prefetch_related("niches").with_handle(handle)
    )


@dataclass(frozen=True)
class _PageData:
    """What a creator's page shows every viewer alike, read only when its region is rendered."""

    packages: list[Package]
    badges: list[CreatorBadge]
    subscribers: int
    founder_slots: int
    post_previews: list[posts.PostPreview]


def _viewer_kind(user: User, mine: Subscription | None, is_owner: bool) -> str:
    """Which version of the page the viewer sees: it differs only by these."""
    if is_owner:
        return "owner"
    if mine is not None:  # their package, its state (a trial says so) and their own links
        return f"subscriber-{mine.pk}-{mine.package_id}-{mine.state}"
    if not user.is_authenticated:
        return "visitor"
    return "fan" if user.is_fan else "member"


def _profile_stamp(creator: CreatorProfile) -> int:
    # The profile is the accounts app's: its edits do not bump the page version, so the key
    # carries what the header shows of it (niches, rarely changed, wait for REGION_SECONDS).
    shown = "\x1f".join(
        [
            creator.handle,
            creator.display_name,
            creator.bio,
            str(creator.country),
            str(creator.followers),
        ]
    )
    return zlib.crc32(shown.encode())


@public
@require_GET
def creator_page(request: HttpRequest, handle: str) -> HttpResponse:
    """Anyone may browse a creator's page: who they are, their packages and perks, and locked
    previews of their exclusive posts. Subscribing asks a visitor to sign in as a fan.

    The page is cached per creator and kind of viewer (subscriptions.selectors.page_version):
    a hit reads the creator and the viewer's own subscription, nothing more."""
    creator = get_object_or_404(
        CreatorProfile.objects.select_related("user")
        .filter(user__is_active=True)
        .exclude(standing=Standing.SUSPENDED)
        .annotate(badge_count=Count("badges"))  # badges are granted elsewhere: in the key
        .with_handle(handle)
    )
    if creator.handle != handle:
        return redirect("subscriptions:creator_page", handle=creator.handle, permanent=True)
    mine = selectors.live_subscription(request.user, creator)
    is_owner = request.user.is_authenticated and request.user.pk == creator.user_id

    def read() -> _PageData:
        return _PageData(
            packages=list(
                selectors.packages_of(creator).annotate(post_count=Count("posts", distinct=True))
            ),
            badges=accounts_selectors.badges_of(creator),
            subscribers=selectors.subscriber_count(creator),
            founder_slots=selectors.founder_slots_left(creator),
            post_previews=posts.previews_for(creator, request.user),
        )

    return render(
        request,
        "subscriptions/creator_page.html",
        {
            "creator": creator,
            "page": SimpleLazyObject(read),
            "mine": mine,
            "is_owner": is_owner,
            "can_chat": is_owner or (mine is not None and mine.package.includes_chat),
            "is_fan": request.user.is_authenticated and request.user.is_fan,
            "cache_key": region_key(
                creator.pk,
                selectors.page_version(creator.pk),
                _profile_stamp(creator),
                creator.badge_count,
                _viewer_kind(request.user, mine, is_owner),
            ),
            "region_seconds": REGION_SECONDS,
        },
    )


@sensitive_post_parameters("number", "cvc", "exp_month", "exp_year")
@fan_required
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, handle: str, package_id: int) -> HttpResponse:
    """Choose monthly or yearly billing and a card (or type a new one), then pay."""
    creator = _creator_or_404(handle)
    package = get_object_or_404(
        creator.packages.filter(published_at__isnull=False)
        .prefetch_related("custom_perks")
        .annotate(
            post_count=Count("posts", distinct=True),
            members=Count(
                "subscriptions", filter=Q(subscriptions__state__in=LIVE_STATES), distinct=True
            ),
        ),
        pk=package_id,
    )
    mine = selectors.live_subscription(request.user, creator)
    if mine is not None:
        messages.info(
            request,
            f"You already subscribe to @{creator.handle} ({mine.package.name}); "
            "change package from My subscriptions.",
        )
        return redirect("subscriptions:mine")
    cards = _cards(request)
    form = SubscribeForm(
        request.POST if request.method == "POST" else None, package=package, cards=cards
    )
    trial = package.has_trial and not selectors.had_subscription(request.user, creator)
    status = 200
    payment_error = ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            order = {
                "fan": request.user,
                "package": package,
                "billing": data["billing"],
                "request_key": data["request_key"],
                "expected_price": data["expected_price"],
            }
            try:
                if (card := form.saved_card) is None:
                    subscription = services.subscribe_with_new_card(**order, card=form.new_card())
                else:
                    subscription = services.subscribe(**order, card=card)
            except (services.SubscriptionError, payments_services.PaymentError) as error:
                declined = payments_services.is_declined(error)
                # A fresh form: today's prices, a new request key (a refused key stays
                # refused), the fan's choices kept, no card digits written back.
                package.refresh_from_db()
                form = SubscribeForm(
                    package=package,
                    cards=_cards(request),
                    initial={"billing": data["billing"], "card": data["card"]},
                )
                payment_error = getattr(error, "message", str(error))
                if declined:
                    payment_error += " Nothing was charged: try another card."
                    status = 402
            else:
                messages.success(
                    request,
                    f"Welcome! Your free trial of {package.name} runs until "
                    f"{subscription.current_period_end:%-d %b %Y}."
                    if subscription.state == "trialing"
                    else f"You subscribe to {package.name}: {subscription.price_display} paid.",
                )
                # The page's top: the welcome message, then the posts just unlocked.
                return redirect("subscriptions:creator_page", handle=creator.handle)
    return render(
        request,
        "subscriptions/subscribe.html",
        {
            "creator": creator,
            "package": package,
            "form": form,
            "payment_error": payment_error,
            "trial": trial,
            "founder_slots": selectors.founder_slots_left(creator),
            "takes_numbers": settings.PAYMENTS_GATEWAY == "sandbox",
        },
        status=status,
    )


def _cards(request: HttpRequest) -> list[SavedCard]:
    return list(payments_selectors.cards_of(request.user))


@fan_required
@require_GET
def my_subscriptions(request: HttpRequest) -> HttpResponse:
    """The fan's subscriptions, live ones first, each with its payments and perks."""
    subscriptions = list(
        request.user.subscriptions.exclude(state__in=["incomplete", "refused"])
        .select_related("package", "creator", "card", "next_package")
        .prefetch_related(
            Prefetch(
                "charges",
                queryset=SubscriptionCharge.objects.order_by("-created_at", "-pk"),
                to_attr="recent_charges",
            ),
            Prefetch(
                "perk_deliveries",
                queryset=PerkDelivery.objects.select_related("perk").order_by("-due_on"),
            ),
        )
        .order_by("-current_period_end")
    )
    live = [s for s in subscriptions if s.state in LIVE_STATES]
    ended = [s for s in subscriptions if s.state not in LIVE_STATES]
    return render(
        request,
        "subscriptions/mine.html",
        {
            "live": [(s, selectors.badge_for(s)) for s in live],
            "ended": ended,
            "cards": _cards(request) if live else [],
        },
    )


def _own_subscription(request: HttpRequest, subscription_id: int) -> Subscription:
    return get_object_or_404(
        request.user.subscriptions.select_related("package", "creator__user"),
        pk=subscription_id,
    )


@fan_required
@require_POST
def cancel(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = _own_subscription(request, subscription_id)
    try:
        subscription = services.cancel(subscription=subscription)
    except services.SubscriptionError as error:
        return bad_request(request, str(error))
    messages.success(
        request,
        f"Cancelled: your perks last until {subscription.current_period_end:%-d %b %Y}.",
    )
    return redirect("subscriptions:mine")


@fan_required
@require_POST
def resume(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = _own_subscription(request, subscription_id)
    try:
        subscription = services.resume(subscription=subscription)
    except services.SubscriptionError as error:
        return bad_request(request, str(error))
    messages.success(request, f"Resumed: it renews on {subscription.current_period_end:%-d %b %Y}.")
    return redirect("subscriptions:mine")


@fan_required
@require_POST
def change_card(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Pay with another saved card; a past-due subscription is charged on it at once."""
    subscription = _own_subscription(request, subscription_id)
    card = next((c for c in _cards(request) if str(c.pk) == request.POST.get("card")), None)
    if card is None:
        return bad_request(request, "Choose one of your saved cards.")
    try:
        subscription = services.change_card(subscription=subscription, card=card)
    except services.SubscriptionError as error:
        return bad_request(request, str(error))
    if subscription.state == "past_due":
        messages.warning(
            request, f"{card} was declined too; add another card or try again tomorrow."
        )
    else:
        messages.success(request, f"{subscription.package.name} is now paid with {card}.")
    return redirect("subscriptions:mine")


@fan_required
@require_http_methods(["GET", "POST"])
def switch(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Another of the creator's packages, or the other billing period, each with what it
    costs now (an upgrade is prorated) and when it starts."""
    subscription = _own_subscription(request, subscription_id)
    if subscription.state not in LIVE_STATES:
        return bad_request(request, "That subscription has ended; subscribe again instead.")
    options = []
    for package in selectors.packages_of(subscription.creator):
        for billing in (Billing.MONTHLY, Billing.ANNUAL):
            if package.price(billing) is None:
                continue
            if (package.pk, billing) == (subscription.package_id, subscription.billing):
                continue
            quote = services.quote_switch(subscription, package, billing)
            options.append((package, billing, quote))
    if request.method == "POST":
        chosen = request.POST.get("option", "")
        key = request.POST.get("request_key", "")
        match = next((o for o in options if f"{o[0].pk}:{o[1]}" == chosen), None)
        if match is None:
            return bad_request(request, "Choose one of the packages offered.")
        try:
            services.switch(
                subscription=subscription,
                package=match[0],
                billing=match[1],
                request_key=key,
            )
        except (services.SubscriptionError, payments_services.PaymentError) as error:
            messages.error(request, getattr(error, "message", str(error)))
            return render(
                request,
                "subscriptions/switch.html",
                _switch_context(subscription, options),
                status=400,
            )
        messages.success(request, match[2].explanation)
        return redirect("subscriptions:mine")
    return render(request, "subscriptions/switch.html", _switch_context(subscription, options))


def _switch_context(subscription: Subscription, options: list) -> dict:
    return {
        "subscription": subscription,
        "options": options,
        "request_key": secrets.token_hex(16),
    }


# --- the creator's packages ------------------------------------------------------------------


@creator_required
@require_GET
def packages(request: HttpRequest) -> HttpResponse:
    """The creator's packages (published or not) previewed as fans see them, whether they may
    publish, and their revenue share."""
    creator = request.user.creator
    mine = list(
        creator.packages.prefetch_related("custom_perks").annotate(
            members=Count(
                "subscriptions", filter=Q(subscriptions__state__in=LIVE_STATES), distinct=True
            ),
            post_count=Count("posts", distinct=True),
        )
    )
    conditions = selectors.offer_conditions(creator)
    return render(
        request,
        "subscriptions/packages.html",
        {
            "creator": creator,
            "packages": mine,
            "can_add": len(mine) < MAX_PACKAGES,
            "max_packages": MAX_PACKAGES,
            "conditions": conditions,
            "may_publish": all(c.met for c in conditions),
            "share": selectors.revenue_share(creator),
        },
    )


@creator_required
@require_http_methods(["GET", "POST"])
def package_edit(request: HttpRequest, package_id: int | None = None) -> HttpResponse:
    creator = request.user.creator
    package = None
    if package_id is not None:
        package = get_object_or_404(
            creator.packages.prefetch_related("custom_perks"), pk=package_id
        )
    elif creator.packages.count() >= MAX_PACKAGES:
        messages.error(request, f"You can offer at most {MAX_PACKAGES} packages.")
        return redirect("subscriptions:packages")
    if request.method == "POST":
        form = PackageForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                package = services.save_package(
                    creator=creator,
                    package=package,
                    name=data["name"],
                    description=data["description"],
                    currency=data["currency"],
                    monthly_price_minor=data["monthly_price_minor"],
                    annual_price_minor=data["annual_price_minor"],
                    has_trial=data["has_trial"],
                    member_cap=data["member_cap"],
                    includes_chat=data["includes_chat"],
                    includes_emojis=data["includes_emojis"],
                    perks=data["perks"],
                )
            except services.SubscriptionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Saved {package.name}.")
                return redirect("subscriptions:packages")
        status = 400
    else:
        form = (
            PackageForm.for_package(package)
            if package
            else PackageForm(
                initial={
                    "currency": settings.PAYMENTS_CURRENCY,
                    "includes_chat": True,
                    "includes_emojis": True,
                }
            )
        )
        status = 200
    return render(
        request,
        "subscriptions/package_form.html",
        {"form": form, "package": package},
        status=status,
    )


@creator_required
@require_POST
def package_publish(request: HttpRequest, package_id: int) -> HttpResponse:
    package = get_object_or_404(request.user.creator.packages, pk=package_id)
    try:
        if request.POST.get("action") == "unpublish":
            services.unpublish_package(package=package)
            messages.success(
                request, f"{package.name} is no longer offered; its subscribers keep it."
            )
        else:
            services.publish_package(package=package)
            messages.success(request, f"{package.name} is on your page.")
    except services.SubscriptionError as error:
        return bad_request(request, str(error))
    return redirect("subscriptions:packages")
