"""The operations report: runs, failed tasks, and redemptions and payouts waiting."""

from datetime import timedelta

import pytest
from celery.signals import task_failure
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import CreatorProfile
from accounts.tests.factories import CreatorFactory
from activity.tests.factories import DAY, VideoDayFactory
from core.models import TaskFailure
from payments import ledger, payouts
from payments.models import PayoutRequest, PayoutState, Source
from reports import operations
from rewards import recalculation
from rewards.models import EntryKind, RecalcRun, RecalcState
from rewards.services import post_entry
from store import services as store_services
from store.models import Redemption, RedemptionState
from store.tests.factories import PromotionFactory

pytestmark = pytest.mark.django_db
PAGE = reverse("reports:operations")
LONG_AGO = timezone.now() - timedelta(days=30)


def words(text: str) -> str:
    return text.replace("\xa0", " ")


def redeem(creator: CreatorProfile, *, waited: timedelta) -> Redemption:
    post_entry(
        creator=creator, amount=1_000, kind=EntryKind.ADJUSTED, idempotency_key=f"g{creator.pk}"
    )
    item = PromotionFactory()
    redemption, _ = store_services.redeem_item(
        creator=creator, item_id=item.pk, request_key=f"key-{creator.pk}".ljust(20, "k")
    )
    assert redemption.state == RedemptionState.PENDING
    # Waiting since then: the page reads its age from created_at.
    Redemption.objects.filter(pk=redemption.pk).update(created_at=timezone.now() - waited)
    return redemption


def ask_payout(creator: CreatorProfile, *, waited: timedelta) -> PayoutRequest:
    ledger.credit(
        creator=creator,
        amount=2_500,
        currency="GBP",
        source=Source.CASH_REDEMPTION,
        idempotency_key=f"earn:{creator.pk}",
    )
    payouts.set_payout_method(
        creator=creator,
        kind="uk",
        holder_name="Mia Stone",
        account_number="31926819",
        bank_code="601613",
        now=LONG_AGO,
    )
    request = payouts.request_payout(
        creator=creator, amount=1_000, currency="GBP", request_key=f"p{creator.pk}".ljust(16, "p")
    )
    PayoutRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - waited)
    return request


def fail_a_task(name: str = "rewards.recalculate_shard") -> TaskFailure:
    task_failure.send(
        sender=type("Task", (), {"name": name})(),
        task_id="0f1e",
        exception=TimeoutError("the database went away"),
        args=[7],
        kwargs={"day": "2026-11-18"},
        traceback=None,
    )
    return TaskFailure.objects.latest("failed_at")


@pytest.fixture
def busy() -> dict:
    """A done run, a held run, a failed task, two redemptions and a payout waiting."""
    VideoDayFactory(views=6_000, views_5s=5_000)
    done = recalculation.recalculate_day_in_process(day=DAY)
    held = RecalcRun.objects.create(
        day=DAY - timedelta(days=1),
        state=RecalcState.HELD,
        held_reason="the day's total rose 80 % over the day before",
    )
    return {
        "done": done,
        "held": held,
        "failure": fail_a_task(),
        "old": redeem(CreatorFactory(handle="waitslong"), waited=timedelta(days=3, hours=4)),
        "new": redeem(CreatorFactory(handle="justnow"), waited=timedelta(minutes=5)),
        "payout": ask_payout(CreatorFactory(handle="wantscash"), waited=timedelta(hours=26)),
    }


def test_the_report_lists_everything_waiting_oldest_first_with_its_age(busy: dict) -> None:
    ops = operations.operations(timezone.now())
    assert [row.run for row in ops.runs] == [busy["held"], busy["done"]]
    assert ops.runs_attention == 1  # the held run
    assert [row.obj for row in ops.redemptions] == [busy["old"], busy["new"]]
    # timesince's words, joined by non-breaking spaces so an age never wraps.
    assert [words(row.waited) for row in ops.redemptions] == ["3 days, 4 hours", "5 minutes"]
    assert (ops.redemptions_waiting, ops.payouts_waiting, ops.failures_this_week) == (2, 1, 1)
    assert [words(row.waited) for row in ops.payouts] == ["1 day, 2 hours"]
    assert ops.failures[0].exception_line == "TimeoutError: the database went away"


def test_the_page_links_every_row_into_admin(staff_client: Client, busy: dict) -> None:
    html = words(staff_client.get(PAGE).content.decode())
    for name, obj in [
        ("rewards_recalcrun", busy["done"]),
        ("rewards_recalcrun", busy["held"]),
        ("core_taskfailure", busy["failure"]),
        ("store_redemption", busy["old"]),
        ("store_redemption", busy["new"]),
        ("payments_payoutrequest", busy["payout"]),
    ]:
        assert reverse(f"admin:{name}_change", args=[obj.pk]) in html
    assert "Held: the day&#x27;s total rose 80 % over the day before" in html
    assert "3 days, 4 hours" in html and "1 day, 2 hours" in html
    assert "rewards.recalculate_shard" in html
    assert html.index("@waitslong") < html.index("@justnow")


def test_the_failed_task_opens_in_admin(staff_client: Client) -> None:
    failure = fail_a_task()
    page = staff_client.get(reverse("admin:core_taskfailure_change", args=[failure.pk]))
    assert page.status_code == 200
    assert "the database went away" in page.content.decode()


def test_a_quiet_run_in_progress_is_called_out() -> None:
    now = timezone.now()
    RecalcRun.objects.create(
        day=DAY, state=RecalcState.POSTING, started_at=now - timedelta(hours=1),
        heartbeat_at=now - timedelta(minutes=25),
    )  # fmt: skip
    [row] = operations.operations(now).runs
    assert words(row.quiet_for) == "25 minutes"
    assert operations.operations(now).runs_attention == 1


def test_an_empty_report_says_nothing_waits(staff_client: Client) -> None:
    html = staff_client.get(PAGE).content.decode()
    assert "Nothing waiting: every redemption is fulfilled or cancelled." in html
    assert "Nothing waiting: every payout request is paid or rejected." in html
    assert "No task has failed." in html


def test_the_page_takes_the_same_queries_however_much_waits(
    staff_client: Client, busy: dict, django_assert_num_queries: object
) -> None:
    staff_client.get(PAGE)
    # The user; runs; failures and their count; redemptions; payouts (each count is skipped
    # while fewer than the page's limit wait).
    with django_assert_num_queries(6):
        assert staff_client.get(PAGE).status_code == 200
    for n in range(3):
        redeem(CreatorFactory(), waited=timedelta(days=n))
        fail_a_task(f"tasks.t{n}")
    with django_assert_num_queries(6):
        assert staff_client.get(PAGE).content.decode().count("admin/store/redemption/") >= 5


def test_a_waiting_payout_leaves_the_list_once_decided(busy: dict) -> None:
    PayoutRequest.objects.filter(pk=busy["payout"].pk).update(
        state=PayoutState.PAID, transfer_reference="T1"
    )
    assert operations.operations(timezone.now()).payouts == []


@pytest.mark.parametrize("role", ["creator_client", "fan_client", "brand_client"])
def test_only_staff_see_operations(request: pytest.FixtureRequest, role: str) -> None:
    client: Client = request.getfixturevalue(role)
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE, HTTP_HX_REQUEST="true").status_code == 403


def test_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
