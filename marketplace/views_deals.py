"""Campaigns, proposals and collaborations pages: a brand's campaigns with their ranked
creators and invitations; a creator's open campaigns and applications; both sides' inbox
and the collaboration page with its steps, actions and message thread.

Every row is fetched through the signed-in side (a brand's own campaigns, a creator's own
proposals, a collaboration the user is a side of), so anything else is a 404."""

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.access import brand_required, creator_required, role_required
from accounts.models import CreatorProfile, Role, User
from core.http import wants_fragment
from payments import selectors as payments_selectors
from payments import services as payments_services
from payments.gateway import CardDetails

from . import campaigns, collaborations, matching, proposals
from .campaigns import DealError
from .forms_deals import (
    AnswerForm,
    CampaignForm,
    DeliverForm,
    MessageForm,
    NoteForm,
    OfferForm,
    PayCollabForm,
    TermsForm,
    major,
)
from .models import (
    OPEN_PROPOSAL_STATES,
    Campaign,
    CampaignState,
    Collaboration,
    Listing,
    Proposal,
    ProposalState,
)

deals_required = role_required(Role.CREATOR, Role.BRAND)
# Proposals that came to nothing: the proposals page lists them apart, in short.
ENDED = {ProposalState.DECLINED, ProposalState.EXPIRED, ProposalState.WITHDRAWN}


def _form_errors(form: object) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)  # type: ignore[attr-defined]


# --- the brand's campaigns --------------------------------------------------------------------


def _own_campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.filter(brand=request.user.brand), pk=pk)


@brand_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The brand's campaigns, with what waits for them."""
    return render(
        request,
        "marketplace/deals/campaigns.html",
        {"campaigns": list(campaigns.campaigns_of(request.user.brand))},
    )


def _campaign_form_page(
    request: HttpRequest, form: CampaignForm, campaign: Campaign | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "marketplace/deals/campaign_form.html",
        {"form": form, "campaign": campaign},
        status=status,
    )


@brand_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    """Write a brief; it is saved as a draft, to open when ready."""
    if request.method != "POST":
        return _campaign_form_page(request, CampaignForm(), None)
    form = CampaignForm(request.POST)
    if form.is_valid():
        try:
            campaign = campaigns.save_campaign(brand=request.user.brand, brief=form.brief_data())
        except DealError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Campaign saved as a draft. Open it to invite creators.")
            return redirect("marketplace:campaign", pk=campaign.pk)
    return _campaign_form_page(request, form, None, status=400)


@brand_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _own_campaign(request, pk)
    if request.method != "POST":
        return _campaign_form_page(request, CampaignForm.for_campaign(campaign), campaign)
    form = CampaignForm(request.POST)
    if form.is_valid():
        try:
            campaigns.save_campaign(
                brand=request.user.brand, campaign=campaign, brief=form.brief_data()
            )
        except DealError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Campaign saved.")
            return redirect("marketplace:campaign", pk=campaign.pk)
    return _campaign_form_page(request, form, campaign, status=400)


@brand_required
@require_POST
def campaign_open(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _own_campaign(request, pk)
    try:
        campaigns.open_campaign(brand=request.user.brand, campaign=campaign)
        messages.success(request, "Open: creators can apply and you can invite them.")
    except DealError as error:
        messages.error(request, str(error))
    return redirect("marketplace:campaign", pk=campaign.pk)


@brand_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _own_campaign(request, pk)
    try:
        campaigns.close_campaign(brand=request.user.brand, campaign=campaign)
        messages.success(request, "Closed. Waiting invitations and applications were withdrawn.")
    except DealError as error:
        messages.error(request, str(error))
    return redirect("marketplace:campaign", pk=campaign.pk)


def _proposed(campaign: Campaign, creator_ids: list[int]) -> dict[int, Proposal]:
    """The latest proposal of each of the creators for the campaign (one query)."""
    found: dict[int, Proposal] = {}
    for proposal in Proposal.objects.filter(campaign=campaign, creator_id__in=creator_ids).order_by(
        "created_at", "pk"
    ):
        found[proposal.creator_id] = proposal
    return found


def _ranking_context(request: HttpRequest, campaign: Campaign) -> dict:
    page, matches = matching.ranked(campaign, request.GET.get("page"))
    proposed = _proposed(campaign, [m.creator.pk for m in matches])
    rows = [
        {
            "match": m,
            "proposal": proposed.get(m.creator.pk),
            "open_proposal": proposed.get(m.creator.pk) is not None
            and proposed[m.creator.pk].state in OPEN_PROPOSAL_STATES,
            "offer": _first_offer(campaign, m.listing),
        }
        for m in matches
    ]
    return {
        "campaign": campaign,
        "page": page,
        "rows": rows,
        "can_invite": campaign.state == CampaignState.OPEN,
        "budget": major(campaign.budget_minor, campaign.currency),
    }


def _first_offer(campaign: Campaign, listing: object) -> object:
    """The price an invitation starts at: the creator's own rate for the campaign's
    deliverable when it is in the campaign's currency and within budget, else the budget."""
    rate = getattr(listing, matching.PRICE_FIELDS[campaign.deliverable])
    if rate is not None and listing.currency == campaign.currency and rate <= campaign.budget_minor:
        return major(rate, campaign.currency)
    return major(campaign.budget_minor, campaign.currency)


@brand_required
@require_GET
@vary_on_headers("HX-Request")  # the same URL answers htmx with the ranking region only
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    """The brief, the creators ranked by match with each part in words, and Invite."""
    campaign = _own_campaign(request, pk)
    context = _ranking_context(request, campaign)
    if wants_fragment(request):
        return render(request, "marketplace/deals/campaign.html#ranking", context)
    context["proposals"] = list(
        proposals.for_brand(request.user.brand).filter(campaign=campaign)[:50]
    )
    return render(request, "marketplace/deals/campaign.html", context)


@brand_required
@require_POST
@vary_on_headers("HX-Request")
def campaign_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite a ranked creator at a price. With htmx, the row's invite box comes back."""
    campaign = _own_campaign(request, pk)
    form = OfferForm(request.POST, currency=campaign.currency)
    creator = None
    proposal, error = None, ""
    if form.is_valid():
        creator = CreatorProfile.objects.filter(pk=form.cleaned_data["creator"]).first()
        if creator is None:
            error = "That creator is not in the Marketplace."
        else:
            try:
                proposal = proposals.invite(
                    brand=request.user.brand,
                    campaign=campaign,
                    creator=creator,
                    price_minor=form.cleaned_data["price"],
                    message=form.cleaned_data["message"],
                )
            except DealError as e:
                error = str(e)
    else:
        error = _form_errors(form)
    if wants_fragment(request):
        return render(
            request,
            "marketplace/deals/_invite.html",
            {
                "campaign": campaign,
                "creator_id": request.POST.get("creator", ""),
                "proposal": proposal,
                "error": error,
                "open_proposal": proposal is not None,
                "can_invite": True,
                "budget": major(campaign.budget_minor, campaign.currency),
            },
            status=409 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Invitation sent to @{creator.handle}.")
    return redirect("marketplace:campaign", pk=campaign.pk)


# --- the creator's open campaigns -------------------------------------------------------------


@creator_required
@require_GET
def open_campaigns(request: HttpRequest) -> HttpResponse:
    """Open campaigns, with the creator's match and what would raise it."""
    creator = request.user.creator
    page, found = matching.open_campaigns_for(creator, request.GET.get("page"))
    return render(
        request,
        "marketplace/deals/open_campaigns.html",
        {
            "page": page,
            "found": found,
            "listed": Listing.objects.filter(creator=creator).exists(),
            "requests": proposals.partnership_requests(creator),
        },
    )


def _open_campaign(pk: int) -> Campaign:
    return get_object_or_404(campaigns.open_campaigns(), pk=pk)


def _open_campaign_page(
    request: HttpRequest, campaign: Campaign, form: OfferForm, status: int = 200
) -> HttpResponse:
    creator = request.user.creator
    mine = proposals.for_creator(creator).filter(campaign=campaign).first()
    return render(
        request,
        "marketplace/deals/open_campaign.html",
        {
            "campaign": campaign,
            "match": matching.explain(campaign, creator),
            "form": form,
            "proposal": mine,
            "waiting": mine is not None and mine.state in OPEN_PROPOSAL_STATES,
            "reapply_from": proposals.reapply_from(campaign, creator),
        },
        status=status,
    )


@creator_required
@require_GET
def open_campaign(request: HttpRequest, pk: int) -> HttpResponse:
    """One open campaign from the creator's side: the brief, why they match, Apply."""
    campaign = _open_campaign(pk)
    form = OfferForm(
        currency=campaign.currency,
        initial={"price": major(campaign.budget_minor, campaign.currency)},
    )
    return _open_campaign_page(request, campaign, form)


@creator_required
@require_POST
def campaign_apply(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _open_campaign(pk)
    form = OfferForm(request.POST, currency=campaign.currency)
    if form.is_valid():
        try:
            proposals.apply(
                creator=request.user.creator,
                campaign=campaign,
                price_minor=form.cleaned_data["price"],
                message=form.cleaned_data["message"],
            )
        except DealError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Applied to “{campaign.title}”. The brand answers here.")
            return redirect("marketplace:proposals")
    return _open_campaign_page(request, campaign, form, status=400)


# --- both sides' proposals --------------------------------------------------------------------


def _own_proposals(user: User) -> QuerySet[Proposal]:
    if user.role == Role.BRAND:
        return proposals.for_brand(user.brand)
    return proposals.for_creator(user.creator)


def _proposal_row(user: User, proposal: Proposal) -> dict:
    side = proposals.side_of(proposal, user)
    return {
        "proposal": proposal,
        "my_turn": proposal.state in OPEN_PROPOSAL_STATES and proposal.awaiting == side,
        "form": AnswerForm(currency=proposal.campaign.currency),
        "side": side,
    }


@deals_required
@require_GET
def proposal_list(request: HttpRequest) -> HttpResponse:
    """Invitations and applications: the brand's on its campaigns, the creator's own."""
    rows = [_proposal_row(request.user, p) for p in _own_proposals(request.user)[:100]]
    return render(
        request,
        "marketplace/deals/proposals.html",
        {
            "waiting": [r for r in rows if r["my_turn"]],
            "others": [r for r in rows if not r["my_turn"] and r["proposal"].state not in ENDED],
            # A campaign's declined and expired invitations can run to dozens: they fold
            # into a short list of their own, so what is still in play stays in view.
            "ended": [r for r in rows if r["proposal"].state in ENDED],
            "collabs": list(collaborations.for_user(request.user)[:50]),
        },
    )


@deals_required
@require_POST
@vary_on_headers("HX-Request")
def proposal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept, decline or counter. With htmx, the proposal's card comes back."""
    proposal = get_object_or_404(_own_proposals(request.user), pk=pk)
    form = AnswerForm(request.POST, currency=proposal.campaign.currency)
    error = ""
    if form.is_valid():
        try:
            proposal = proposals.answer(
                proposal=proposal,
                by=request.user,
                action=form.cleaned_data["action"],
                message=form.cleaned_data["message"],
                price_minor=form.cleaned_data["price"],
            )
        except DealError as e:
            error = str(e)
    else:
        error = _form_errors(form)
    proposal = _own_proposals(request.user).get(pk=proposal.pk)
    if wants_fragment(request):
        context = {"row": _proposal_row(request.user, proposal), "error": error}
        return render(
            request,
            "marketplace/deals/proposals.html#proposal",
            context,
            status=409 if error else 200,
        )
    if error:
        messages.error(request, error)
    elif hasattr(proposal, "collab"):
        messages.success(request, "Accepted. Agree the terms to start.")
        return redirect("marketplace:collab", pk=proposal.collab.pk)
    else:
        messages.success(request, f"Answered: {proposal.get_state_display().lower()}.")
    return redirect("marketplace:proposals")


# --- a collaboration --------------------------------------------------------------------------


def _own_collab(request: HttpRequest, pk: int) -> Collaboration:
    return get_object_or_404(collaborations.for_user(request.user), pk=pk)


def _collab_context(request: HttpRequest, collab: Collaboration) -> dict:
    user = request.user
    actions = collaborations.actions_for(collab, user)
    side = collaborations.side_of(collab, user)
    mine = collab.brand_agreed_at if side == "brand" else collab.creator_agreed_at
    return {
        "collab": collab,
        "side": side,
        "actions": actions,
        "i_agreed": mine is not None,
        "both_agreed": collaborations.both_agreed(collab),
        "under_way": collaborations.payment_under_way(collab),
        "steps": list(collab.steps.select_related("by")),
        "deliveries": list(collab.deliveries.all()),
        "thread": list(collab.messages.select_related("author")),
        "terms_form": TermsForm(
            currency=collab.currency,
            initial={
                "deliverables": collab.deliverables,
                "due_on": collab.due_on,
                "price": major(collab.price_minor, collab.currency),
                "usage_rights": collab.usage_rights,
            },
        ),
        "deliver_form": DeliverForm(),
        "note_form": NoteForm(),
        "message_form": MessageForm(),
        "rounds_left": max(0, _max_rounds() - collab.change_rounds),
        "price": collab.money(collab.price_minor),
        "share": collab.money(collab.creator_share_minor),
    }


def _max_rounds() -> int:
    return settings.MARKETPLACE_CHANGE_ROUNDS


@deals_required
@require_GET
def collab(request: HttpRequest, pk: int) -> HttpResponse:
    """The terms, the steps in order, what the viewer may do now, deliveries, messages."""
    collab = _own_collab(request, pk)
    return render(request, "marketplace/deals/collab.html", _collab_context(request, collab))


def _after(request: HttpRequest, collab: Collaboration, done: str, error: str) -> HttpResponse:
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("marketplace:collab", pk=collab.pk)


@deals_required
@require_POST
def collab_terms(request: HttpRequest, pk: int) -> HttpResponse:
    """Agree the terms as they stand ("agree"), or propose changed ones."""
    collab = _own_collab(request, pk)
    error = ""
    try:
        if "agree" in request.POST:
            collabs_done = collaborations.agree_terms(collab=collab, by=request.user)
            done = (
                "Both sides agree the terms."
                if collaborations.both_agreed(collabs_done)
                else "You agreed the terms; the other side is told."
            )
        else:
            form = TermsForm(request.POST, currency=collab.currency)
            if not form.is_valid():
                raise DealError(_form_errors(form))
            data = form.cleaned_data
            collaborations.set_terms(
                collab=collab,
                by=request.user,
                deliverables=data["deliverables"],
                due_on=data["due_on"],
                price_minor=data["price"],
                usage_rights=data["usage_rights"],
            )
            done = "Terms saved and agreed on your side; the other side is asked to agree."
    except DealError as e:
        error, done = str(e), ""
    return _after(request, collab, done, error)


@brand_required
@sensitive_post_parameters("number", "cvc")
@require_http_methods(["GET", "POST"])
def collab_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay the agreed price into hold with a saved card or a new one."""
    collab = get_object_or_404(collaborations.of_brand(request.user.brand), pk=pk)
    cards = list(payments_selectors.cards_of(request.user))
    form = PayCollabForm(request.POST if request.method == "POST" else None, cards=cards)
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                card = form.saved_card
                if card is not None:
                    collaborations.pay(collab=collab, by=request.user, card=card)
                else:
                    details: CardDetails = form.new_card()
                    collaborations.pay_with_new_card(collab=collab, by=request.user, card=details)
            except collaborations.PaymentPending as e:
                # Not an error the brand can fix here: the collaboration page says the
                # payment is under way until the portal learns its outcome.
                messages.warning(request, str(e))
                return redirect("marketplace:collab", pk=collab.pk)
            except (DealError, payments_services.PaymentError) as e:
                error = getattr(e, "message", str(e))
                status = 402 if payments_services.is_declined(e) else 409
                form = PayCollabForm(cards=list(payments_selectors.cards_of(request.user)))
            else:
                messages.success(request, "Paid into hold. The creator can start the work.")
                return redirect("marketplace:collab", pk=collab.pk)
    return render(
        request,
        "marketplace/deals/pay.html",
        {
            "collab": collab,
            "form": form,
            "error": error,
            "can_pay": "pay" in collaborations.actions_for(collab, request.user),
            "under_way": collaborations.payment_under_way(collab),
            "takes_numbers": _takes_numbers(),
            "price": collab.money(collab.price_minor),
        },
        status=status,
    )


def _takes_numbers() -> bool:
    return settings.PAYMENTS_GATEWAY == "sandbox"


@creator_required
@require_POST
def collab_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    collab = get_object_or_404(collaborations.of_creator(request.user.creator), pk=pk)
    form = DeliverForm(request.POST)
    error = ""
    try:
        if not form.is_valid():
            raise DealError(_form_errors(form))
        collaborations.deliver(
            collab=collab,
            by=request.user,
            links=form.cleaned_data["links"],
            note=form.cleaned_data["note"],
        )
    except DealError as e:
        error = str(e)
    return _after(request, collab, "Delivered. The brand is told.", error)


@brand_required
@require_POST
def collab_changes(request: HttpRequest, pk: int) -> HttpResponse:
    collab = get_object_or_404(collaborations.of_brand(request.user.brand), pk=pk)
    form = NoteForm(request.POST)
    error = ""
    try:
        if not form.is_valid():
            raise DealError("Say what should change.")
        collaborations.request_changes(
            collab=collab, by=request.user, note=form.cleaned_data["note"]
        )
    except DealError as e:
        error = str(e)
    return _after(request, collab, "Changes asked. The creator is told.", error)


@brand_required
@require_POST
def collab_approve(request: HttpRequest, pk: int) -> HttpResponse:
    collab = get_object_or_404(collaborations.of_brand(request.user.brand), pk=pk)
    error = ""
    try:
        collaborations.approve(collab=collab, by=request.user)
    except DealError as e:
        error = str(e)
    return _after(request, collab, "Approved: the creator is paid.", error)


@deals_required
@require_POST
def collab_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    collab = _own_collab(request, pk)
    form = NoteForm(request.POST)
    error = ""
    try:
        reason = form.cleaned_data["note"] if form.is_valid() else ""
        collaborations.cancel(collab=collab, by=request.user, reason=reason)
    except DealError as e:
        error = str(e)
    return _after(request, collab, "Cancelled. The other side is told.", error)


@deals_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def collab_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """The message thread: with htmx, the thread region (after posting, with the new
    message); without, the collaboration page."""
    collab = _own_collab(request, pk)
    error = ""
    if request.method == "POST":
        form = MessageForm(request.POST)
        try:
            if not form.is_valid():
                raise DealError(_form_errors(form) or "Write a message first.")
            collaborations.post_message(
                collab=collab, by=request.user, body=form.cleaned_data["body"]
            )
        except DealError as e:
            error = str(e)
        if not wants_fragment(request):
            if error:
                messages.error(request, error)
            return redirect(reverse("marketplace:collab", args=[collab.pk]) + "#thread")
    context = _collab_context(request, collab)
    context["message_error"] = error
    if wants_fragment(request):
        return render(
            request,
            "marketplace/deals/collab.html#thread",
            context,
            status=409 if error else 200,
        )
    return render(request, "marketplace/deals/collab.html", context)
