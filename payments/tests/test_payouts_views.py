"""The payouts pages: the creator's own method (masked), balances, requests and history;
refusals as form errors; bank details never echoed; other creators, fans and brands kept out;
and staff paying and rejecting in admin through an intermediate page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import CreatorProfile, Notification
from accounts.tests.factories import CreatorFactory, StaffFactory
from payments import ledger, payouts
from payments.models import AccountKind, EarningsAccount, PayoutMethod, PayoutRequest, Source

pytestmark = pytest.mark.django_db
PAGE = reverse("payments:payouts")
METHOD = reverse("payments:payout_method")
QUEUE = reverse("admin:payments_payoutrequest_changelist")
KEY = "0123456789abcdef"


def set_up(creator: CreatorProfile, *, locked: bool = False) -> None:
    ledger.credit(
        creator=creator,
        amount=2_500,
        currency="GBP",
        source=Source.CASH_REDEMPTION,
        idempotency_key=f"earn:{creator.pk}",
    )
    payouts.set_payout_method(
        creator=creator,
        kind=AccountKind.UK,
        holder_name="Mia Stone",
        account_number="31926819",
        bank_code="601613",
        now=timezone.now() - timedelta(days=1 if locked else 30),
    )


def request_one(creator: CreatorProfile, amount: int = 1_000, key: str = KEY) -> PayoutRequest:
    return payouts.request_payout(creator=creator, amount=amount, currency="GBP", request_key=key)


def available(creator: CreatorProfile) -> int:
    return EarningsAccount.objects.get(creator=creator, currency="GBP").available


def test_page_shows_the_masked_method_balances_and_own_requests(
    creator: CreatorProfile, creator_client: Client
) -> None:
    set_up(creator)
    mine = request_one(creator)
    other = CreatorFactory()
    set_up(other)
    theirs = request_one(other, amount=2_000)

    response = creator_client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "UK account (sort code) •••• 6819" in html and "31926819" not in html
    assert "15.00 GBP" in html  # what is left available
    assert f'data-payout="{mine.pk}"' in html and f'data-payout="{theirs.pk}"' not in html
    assert list(response.context["requests"]) == [mine]
    # Today's request is made: no second form until tomorrow.
    assert 'name="request_key"' not in html and "already requested a payout today" in html


def test_page_query_count_does_not_grow_with_requests(
    creator: CreatorProfile, creator_client: Client
) -> None:
    set_up(creator)
    request_one(creator)
    creator_client.get(PAGE)  # warm the session and notification caches
    with CaptureQueriesContext(connection) as one:
        creator_client.get(PAGE)
    ledger.credit(
        creator=creator,
        amount=10_000,
        currency="GBP",
        source=Source.TIP,
        idempotency_key="more",
    )
    for day in range(1, 4):
        payouts.request_payout(
            creator=creator,
            amount=1_000,
            currency="GBP",
            request_key=f"{day:016x}",
            now=timezone.now() + timedelta(days=day),
        )
    with CaptureQueriesContext(connection) as two:
        response = creator_client.get(PAGE)
    assert len(response.context["requests"]) == 4
    assert len(two) == len(one)


def test_a_new_creator_is_asked_to_add_a_method(creator_client: Client) -> None:
    html = creator_client.get(PAGE).content.decode()
    assert "No payout method yet" in html and "Request payout" not in html


def test_requesting_reserves_the_money_and_redirects(
    creator: CreatorProfile, creator_client: Client
) -> None:
    set_up(creator)

    response = creator_client.post(
        PAGE, {"amount": "12.50", "currency": "GBP", "request_key": KEY}, follow=True
    )

    assert response.redirect_chain == [(PAGE, 302)]
    payout = PayoutRequest.objects.get(creator=creator)
    assert (payout.amount, payout.state) == (1_250, "requested")
    assert available(creator) == 1_250
    assert "Payout of 12.50 GBP requested" in response.content.decode()
    # Today's one request is used: the page says so instead of offering the form again.
    assert 'data-testid="payout-requested-today"' in response.content.decode()
    assert 'name="amount"' not in response.content.decode()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("9.99", "The smallest payout is 10.00 GBP."),
        ("25.01", "only 25.00 GBP is available"),
        ("10.005", "GBP amounts have at most 2 decimal places."),
        ("-5", "greater than or equal to 0.01"),
    ],
)
def test_a_refused_request_is_a_form_error_and_moves_nothing(
    creator: CreatorProfile, creator_client: Client, amount: str, message: str
) -> None:
    set_up(creator)

    response = creator_client.post(PAGE, {"amount": amount, "currency": "GBP", "request_key": KEY})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PayoutRequest.objects.exists() and available(creator) == 2_500


def test_during_the_lock_the_page_says_until_when_and_refuses(
    creator: CreatorProfile, creator_client: Client
) -> None:
    set_up(creator, locked=True)
    until = timezone.localtime(payouts.current_method(creator).created_at + timedelta(days=5))

    page = creator_client.get(PAGE).content.decode()
    response = creator_client.post(PAGE, {"amount": "10", "currency": "GBP", "request_key": KEY})

    assert f"Payouts are paused until {until:%-d %b %Y, %H:%M}" in page
    assert response.status_code == 400
    assert "Payouts are paused" in response.content.decode()
    assert not PayoutRequest.objects.exists() and available(creator) == 2_500


def test_a_second_request_the_same_day_is_refused(
    creator: CreatorProfile, creator_client: Client
) -> None:
    set_up(creator)
    request_one(creator)

    response = creator_client.post(
        PAGE, {"amount": "10", "currency": "GBP", "request_key": "f" * 16}
    )

    assert response.status_code == 400
    assert "already requested a payout today" in response.content.decode()
    assert available(creator) == 1_500


def test_a_currency_the_creator_does_not_hold_is_refused(
    creator: CreatorProfile, creator_client: Client
) -> None:
    set_up(creator)
    response = creator_client.post(PAGE, {"amount": "10", "currency": "USD", "request_key": KEY})
    assert response.status_code == 400 and not PayoutRequest.objects.exists()


@pytest.mark.parametrize(
    ("kind", "number", "code", "last4"),
    [
        ("iban", "GB82 WEST 1234 5698 7654 32", "", "5432"),
        ("uk", "31926819", "60-16-13", "6819"),
        ("us", "000123456789", "110000000", "6789"),
    ],
)
def test_adding_a_method_keeps_the_last_four_and_starts_the_lock(
    creator: CreatorProfile,
    creator_client: Client,
    kind: str,
    number: str,
    code: str,
    last4: str,
) -> None:
    response = creator_client.post(
        METHOD,
        {"holder_name": "Mia Stone", "kind": kind, "account_number": number, "bank_code": code},
    )

    assert response.status_code == 302 and response["Location"] == PAGE
    assert response.wsgi_request.sensitive_post_parameters == ("account_number", "bank_code")
    method = PayoutMethod.objects.get(creator=creator)
    assert method.last4 == last4
    html = creator_client.get(PAGE).content.decode()
    assert f"•••• {last4}" in html and "For your safety" in html and "Payouts are paused" in html


@pytest.mark.parametrize(
    ("kind", "number", "code", "message"),
    [
        ("iban", "GB82 WEST 1234 5698 7654 33", "", "That is not a valid IBAN."),
        ("uk", "3192681", "601613", "A UK account number is 8 digits."),
        ("uk", "31926819", "6016", "A sort code is 6 digits"),
        ("us", "000123456789", "110000001", "That is not a valid 9-digit routing number."),
    ],
)
def test_malformed_bank_details_are_form_errors_never_echoed(
    creator: CreatorProfile, creator_client: Client, kind: str, number: str, code: str, message: str
) -> None:
    response = creator_client.post(
        METHOD,
        {"holder_name": "Mia Stone", "kind": kind, "account_number": number, "bank_code": code},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{number}"' not in html and not PayoutMethod.objects.exists()


def test_method_page_renders_for_a_creator(creator: CreatorProfile, creator_client: Client) -> None:
    set_up(creator)
    html = creator_client.get(METHOD).content.decode()
    assert "Change payout method" in html and "•••• 6819" in html


def test_request_page_shows_its_history(creator: CreatorProfile, creator_client: Client) -> None:
    set_up(creator)
    payout = request_one(creator)
    payouts.reject_payout(payout_id=payout.pk, by=StaffFactory(), reason="Name mismatch.")

    response = creator_client.get(payout.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Rejected: Name mismatch." in html
    assert [e.state for e in response.context["events"]] == ["requested", "rejected"]


def test_another_creators_request_is_not_found(creator_client: Client) -> None:
    other = CreatorFactory()
    set_up(other)
    theirs = request_one(other)

    assert creator_client.get(theirs.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("who", ["fan_client", "brand_client"])
def test_fans_and_brands_are_kept_out_of_every_page_and_post(
    request: pytest.FixtureRequest, who: str
) -> None:
    creator = CreatorFactory()
    set_up(creator)
    payout = request_one(creator)
    client = request.getfixturevalue(who)

    for url in (PAGE, METHOD, payout.get_absolute_url()):
        assert client.get(url).status_code == 403
    assert (
        client.post(PAGE, {"amount": "10", "currency": "GBP", "request_key": "e" * 16}).status_code
        == 403
    )
    assert (
        client.post(
            METHOD,
            {"holder_name": "X", "kind": "uk", "account_number": "12345678", "bank_code": "123456"},
        ).status_code
        == 403
    )
    assert PayoutRequest.objects.count() == 1 and PayoutMethod.objects.count() == 1


def test_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def act(client: Client, action: str, payouts_: list[PayoutRequest], **extra: str) -> object:
    return client.post(
        QUEUE,
        {"action": action, "_selected_action": [p.pk for p in payouts_], **extra},
        follow=True,
    )


def test_staff_approve_after_a_note_page_and_the_creator_is_told(staff_client: Client) -> None:
    made = []
    for _ in range(2):
        creator = CreatorFactory()
        set_up(creator)
        made.append(request_one(creator))

    ask = act(staff_client, "approve", made)
    assert "Note to the creator" in ask.content.decode()
    assert PayoutRequest.objects.filter(state="requested").count() == 2

    done = act(staff_client, "approve", made, apply="1", reason="")

    assert "2 payouts paid." in done.content.decode()
    assert set(PayoutRequest.objects.values_list("state", flat=True)) == {"paid"}
    assert Notification.objects.filter(subject="Payout of 10.00 GBP: paid").count() == 2


def test_staff_reject_needs_a_reason_then_refunds(staff_client: Client) -> None:
    creator = CreatorFactory()
    set_up(creator)
    payout = request_one(creator)

    refused = act(staff_client, "reject", [payout], apply="1", reason=" ")
    assert "Say why" in refused.content.decode()
    assert available(creator) == 1_500

    done = act(staff_client, "reject", [payout], apply="1", reason="Holder name differs.")

    assert "1 payout rejected and refunded." in done.content.decode()
    payout.refresh_from_db()
    assert payout.state == "rejected" and payout.reason == "Holder name differs."
    assert available(creator) == 2_500


def test_deciding_twice_is_a_warning_not_an_error(staff_client: Client) -> None:
    creator = CreatorFactory()
    set_up(creator)
    payout = request_one(creator)
    act(staff_client, "approve", [payout], apply="1", reason="")

    again = act(staff_client, "reject", [payout], apply="1", reason="Oops.")

    assert "is already paid" in again.content.decode()
    assert available(creator) == 1_500


def test_staff_see_a_request_with_its_history(staff_client: Client) -> None:
    creator = CreatorFactory()
    set_up(creator)
    payout = request_one(creator)
    url = reverse("admin:payments_payoutrequest_change", args=[payout.pk])
    html = staff_client.get(url).content.decode()
    assert "reserved from your available earnings" in html
