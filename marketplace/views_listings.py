"""Listings, the brand search and saved lists.

A creator edits only their own listing (/marketplace/listing/), joining when the Marketplace
path admits them. Brands (and staff, who look) search listed creators and open their
listings; a brand keeps its own saved lists, and reaches another brand's by no id. Fans are
refused everywhere. The search answers htmx with its results region only.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.access import brand_required, creator_required, role_required
from accounts.models import BrandProfile, CreatorProfile, Role
from core.http import bad_request, wants_fragment

from . import listings, lists, matching, search
from .campaigns import campaigns_to_match
from .forms_listings import FeaturedForm, ListingForm, ListNameForm, SearchForm
from .listings import ListingError
from .lists import ListsError
from .models import Listing, SavedList

brand_or_staff_required = role_required(Role.BRAND, Role.STAFF)


def _brand(request: HttpRequest) -> BrandProfile | None:
    return request.user.brand if request.user.role == Role.BRAND else None


# --- the creator's own listing ----------------------------------------------------------------


def _videos_to_feature(listing: Listing) -> tuple[list, list[int]]:
    """The videos the creator may feature (their latest, and those featured already) and the
    ids featured now, in order."""
    featured = list(listing.featured.select_related("video"))
    chosen = [f.video for f in featured]
    latest = listings.choosable_videos(listing.creator)
    seen = {v.pk for v in chosen}
    return chosen + [v for v in latest if v.pk not in seen], [v.pk for v in chosen]


def _listing_page(
    request: HttpRequest,
    creator: CreatorProfile,
    *,
    form: ListingForm | None = None,
    featured_form: FeaturedForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    listing = listings.listing_of(creator)
    context: dict = {"creator": creator, "listing": listing, "error": error}
    if listing is None:
        path = listings.marketplace_path(creator)
        context |= {"path": path, "form": form or (ListingForm() if path.eligible else None)}
    else:
        videos, chosen = _videos_to_feature(listing)
        features = search.features_of(creator)
        context |= {
            "form": form or ListingForm.for_listing(listing),
            "featured_form": featured_form
            or FeaturedForm(videos=videos, initial={"videos": chosen}),
            "features": features,
            "engagement_percent": search.percent(features.engagement_bp) if features else "",
            "visible": search.is_visible(creator),
        }
    return render(request, "marketplace/listing.html", context, status=status)


@creator_required
@require_http_methods(["GET", "POST"])
def listing(request: HttpRequest) -> HttpResponse:
    """The creator's listing: what they lack to join, the form to join, or their editor."""
    creator = request.user.creator
    if request.method == "GET":
        return _listing_page(request, creator)
    own = listings.listing_of(creator)
    if own is None:
        return redirect("marketplace:listing")
    form = ListingForm(request.POST)
    if not form.is_valid():
        return _listing_page(request, creator, form=form, status=400)
    try:
        listings.save_listing(listing=own, terms=form.terms())
    except ListingError as error:
        return _listing_page(request, creator, form=form, error=str(error), status=400)
    messages.success(request, "Listing saved. Brands see the change now.")
    return redirect("marketplace:listing")


@creator_required
@require_POST
def join(request: HttpRequest) -> HttpResponse:
    creator = request.user.creator
    form = ListingForm(request.POST)
    if not form.is_valid():
        return _listing_page(request, creator, form=form, status=400)
    try:
        listings.join_marketplace(creator=creator, terms=form.terms())
    except ListingError as error:
        return _listing_page(request, creator, form=form, error=str(error), status=400)
    messages.success(request, "You are in the Marketplace: brands can find you from now on.")
    return redirect("marketplace:listing")


@creator_required
@require_POST
def featured(request: HttpRequest) -> HttpResponse:
    creator = request.user.creator
    own = listings.listing_of(creator)
    if own is None:
        return bad_request(request, "Join the Marketplace before featuring videos.")
    videos, _ = _videos_to_feature(own)
    form = FeaturedForm(request.POST, videos=videos)
    if not form.is_valid():
        return _listing_page(request, creator, featured_form=form, status=400)
    # The boxes' order on the page is the order of the videos on the listing.
    try:
        listings.set_featured_videos(listing=own, video_ids=form.cleaned_data["videos"])
    except ListingError as error:
        return _listing_page(request, creator, featured_form=form, error=str(error), status=400)
    messages.success(request, "Featured videos saved.")
    return redirect(reverse("marketplace:listing") + "#featured")


@creator_required
@require_POST
def pause(request: HttpRequest) -> HttpResponse:
    own = get_object_or_404(Listing, creator=request.user.creator)
    listings.pause_listing(listing=own)
    messages.success(request, "Listing paused: brands no longer find you until you resume.")
    return redirect("marketplace:listing")


@creator_required
@require_POST
def resume(request: HttpRequest) -> HttpResponse:
    own = get_object_or_404(Listing, creator=request.user.creator)
    try:
        listings.resume_listing(listing=own)
    except ListingError as error:
        return _listing_page(request, request.user.creator, error=str(error), status=400)
    messages.success(request, "Listing live again: brands can find you.")
    return redirect("marketplace:listing")


# --- the brand search and a listing as brands see it -----------------------------------------


@brand_or_staff_required
@require_GET
@vary_on_headers("HX-Request")  # the same URL answers htmx with its results region only
def search_page(request: HttpRequest) -> HttpResponse:
    """Listed creators by filters, sorted by followers, engagement, price or match to one of
    the brand's campaigns, 20 a page."""
    brand = _brand(request)
    campaigns = list(campaigns_to_match(brand)) if brand else []
    form = SearchForm(request.GET or None, campaigns=campaigns)
    if form.is_bound and not form.is_valid():
        return bad_request(request, form.error_text())
    if form.campaign:
        page, results = matching.matched_results_page(
            form.campaign, form.filters(), request.GET.get("page")
        )
    else:
        page, results = search.results_page(form.filters(), request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "results": results,
        "brand": brand,
        "lists": list(lists.lists_of(brand)) if brand else [],
        "match_campaign": form.campaign,
        "has_campaigns": bool(campaigns),
    }
    context["active_filters"] = _active_filters(form)
    if wants_fragment(request):
        return render(request, "marketplace/search.html#fragment", context)
    return render(request, "marketplace/search.html", context)


# Not filters of their own: the order of the results, and the budget's currency.
NOT_FILTERS = {"sort", "currency"}


def _active_filters(form: SearchForm) -> int:
    """How many filters narrow the search, for the summary the filters fold behind."""
    if not form.is_bound:
        return 0
    return sum(
        1
        for name, value in form.cleaned_data.items()
        if name not in NOT_FILTERS and value not in (None, "")
    )


@brand_or_staff_required
@require_GET
def creator_detail(request: HttpRequest, handle: str) -> HttpResponse:
    """A listed creator as brands see them: never their points, earnings or private data."""
    found = search.listing_page(handle)
    if found is None:
        raise Http404("No listing for this creator.")
    brand = _brand(request)
    return render(
        request,
        "marketplace/creator_detail.html",
        {"page": found, "brand": brand, **_save_context(brand, found.creator)},
    )


# --- saved lists -----------------------------------------------------------------------------


def _save_context(brand: BrandProfile | None, creator: CreatorProfile) -> dict:
    if brand is None:
        return {"lists": [], "holding": []}
    holding = lists.lists_holding(brand, creator)
    every = list(lists.lists_of(brand))
    return {"lists": every, "holding": [saved for saved in every if saved.pk in holding]}


def _own_list_or_404(request: HttpRequest, pk: int) -> SavedList:
    return get_object_or_404(request.user.brand.lists, pk=pk)


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@brand_required
@require_GET
def lists_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "marketplace/lists.html",
        {"lists": list(lists.lists_of(request.user.brand)), "form": ListNameForm()},
    )


@brand_required
@require_POST
def list_create(request: HttpRequest) -> HttpResponse:
    form = ListNameForm(request.POST)
    if not form.is_valid():
        return bad_request(request, "Give the list a name of at most 60 characters.")
    try:
        saved = lists.create_list(brand=request.user.brand, name=form.cleaned_data["name"])
    except ListsError as error:
        return bad_request(request, str(error))
    messages.success(request, f"List “{saved.name}” made. Save creators to it from the search.")
    return redirect("marketplace:list_detail", pk=saved.pk)


@brand_required
@require_GET
@vary_on_headers("HX-Request")
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    saved = _own_list_or_404(request, pk)
    context = {
        "saved_list": saved,
        "entries": list(lists.entries_of(saved)),
        "form": ListNameForm(initial={"name": saved.name}),
    }
    if wants_fragment(request):
        return render(request, "marketplace/list_detail.html#entries", context)
    return render(request, "marketplace/list_detail.html", context)


@brand_required
@require_POST
def list_rename(request: HttpRequest, pk: int) -> HttpResponse:
    saved = _own_list_or_404(request, pk)
    form = ListNameForm(request.POST)
    if not form.is_valid():
        return bad_request(request, "Give the list a name of at most 60 characters.")
    try:
        lists.rename_list(saved_list=saved, name=form.cleaned_data["name"])
    except ListsError as error:
        return bad_request(request, str(error))
    messages.success(request, f"List renamed “{saved.name}”.")
    return redirect("marketplace:list_detail", pk=saved.pk)


@brand_required
@require_POST
def list_delete(request: HttpRequest, pk: int) -> HttpResponse:
    name = lists.delete_list(saved_list=_own_list_or_404(request, pk))
    messages.success(request, f"List “{name}” deleted.")
    return redirect("marketplace:lists")


@brand_required
@require_POST
def list_add(request: HttpRequest, handle: str) -> HttpResponse:
    """Save a listed creator to one of the brand's lists (`list`), or to a new one
    (`new_list`, a name). htmx gets the save box back; a plain form goes back to `next`."""
    brand = request.user.brand
    creator = get_object_or_404(search.visible_creators().with_handle(handle))
    new_name = request.POST.get("new_list", "").strip()
    try:
        if new_name:
            saved = lists.create_list(brand=brand, name=new_name)
        else:
            try:
                pk = int(request.POST.get("list", ""))
            except ValueError:
                return bad_request(request, "Choose one of your lists, or name a new one.")
            saved = _own_list_or_404(request, pk)
        lists.add_to_list(saved_list=saved, creator=creator)
    except ListsError as error:
        return bad_request(request, str(error))
    note = f"Saved @{creator.handle} to “{saved.name}”."
    if wants_fragment(request):
        return render(
            request,
            "marketplace/_save.html",
            {
                "creator": creator,
                "note": note,
                "compact": request.POST.get("compact") == "1",
                "next_url": request.POST.get("next", ""),
                **_save_context(brand, creator),
            },
        )
    messages.success(request, note)
    return _back(request, reverse("marketplace:creator_detail", args=[creator.handle]))


@brand_required
@require_POST
def list_remove(request: HttpRequest, pk: int, handle: str) -> HttpResponse:
    saved = _own_list_or_404(request, pk)
    creator = get_object_or_404(CreatorProfile.objects.with_handle(handle))
    lists.remove_from_list(saved_list=saved, creator=creator)
    if wants_fragment(request):
        return render(
            request,
            "marketplace/list_detail.html#entries",
            {"saved_list": saved, "entries": list(lists.entries_of(saved))},
        )
    messages.success(request, f"Removed @{creator.handle} from “{saved.name}”.")
    return redirect("marketplace:list_detail", pk=saved.pk)
