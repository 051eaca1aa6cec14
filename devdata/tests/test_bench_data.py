"""seed_bench_web at a tiny scale: consistent data, pages that render, reruns skipped."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import CreatorProfile, Role, User
from accounts.tests.factories import FanFactory, StaffFactory
from activity.models import CreatorDay, VideoDay
from core.clock import rewards_today
from devdata import bench_data
from payments import services as payments_services
from payments.models import PaymentAttempt, SandboxPayment, SavedCard
from rewards import recalculation
from rewards.models import CreatorTier, EntryKind, PointsAccount, PointsEntry, RecalcRun
from store.models import Redemption
from subscriptions import chat, services
from subscriptions.models import ChatMessage, Post, State, Subscription

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="seed_bench_web generates its rows in PostgreSQL",
    ),
]
CREATORS = 4
DAYS = 10


def seed(capsys: pytest.CaptureFixture[str], **options: object) -> dict:
    call_command("seed_bench_web", json=True, **{"creators": CREATORS, "days": DAYS, **options})
    return json.loads(capsys.readouterr().out)


def sign_in(n: int, pattern: str = bench_data.EMAIL_PATTERN) -> Client:
    """The way the benchmark's users arrive: the seeded email and password, checked for real."""
    client = Client()
    email = pattern.format(n=n)
    assert client.login(email=email, password=bench_data.DEFAULT_PASSWORD)
    return client


def test_a_tiny_seed_is_a_consistent_ledger_with_the_activity_behind_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = seed(capsys)
    yesterday = rewards_today() - timedelta(days=1)
    assert summary["seeded"] is True
    assert summary["last_day"] == yesterday.isoformat()
    assert summary["first_day"] == (yesterday - timedelta(days=DAYS - 1)).isoformat()
    assert CreatorProfile.objects.count() == User.objects.filter(role=Role.CREATOR).count()
    assert CreatorProfile.objects.count() == CREATORS
    assert User.objects.filter(role=Role.FAN).count() == summary["fans"] == bench_data.MIN_FANS
    assert CreatorDay.objects.count() == CREATORS * DAYS
    assert VideoDay.objects.count() == summary["video_days"] > 0
    assert PointsEntry.objects.filter(kind=EntryKind.EARNED).count() == summary["entries"] > 0
    # Every balance is the sum of its entries, and every creator has a tier.
    call_command("check_ledger")
    assert PointsAccount.objects.count() == CreatorTier.objects.count() == CREATORS
    assert not PointsAccount.objects.filter(balance=0).exists()
    # One finished run per day, holding that day's entries.
    assert RecalcRun.objects.filter(state="done").count() == DAYS
    run = RecalcRun.objects.get(day=yesterday)
    assert run.entries_posted == PointsEntry.objects.filter(run=run).count() > 0


def test_recalculating_a_seeded_day_posts_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """The entries are exactly what the nightly recalculation makes of the seeded activity."""
    seed(capsys)
    staff = StaffFactory()
    before = PointsEntry.objects.count()
    for back in (1, 3, DAYS):
        day = rewards_today() - timedelta(days=back)
        run = recalculation.recalculate_day_in_process(day=day, approved_by=staff)
        assert (run.state, run.entries_posted, run.lines.count()) == ("done", 0, 0)
    assert PointsEntry.objects.count() == before


def test_seeded_creators_sign_in_and_get_the_benchmarked_pages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = seed(capsys)
    client = sign_in(CREATORS)
    home = client.get(reverse("rewards:dashboard"))
    assert home.status_code == 200
    assert home.context["board"].balance == PointsAccount.objects.get(creator_id=CREATORS).balance
    chart = client.get(
        reverse("rewards:points_panel"), {"period": 30}, headers={"HX-Request": "true"}
    )
    assert chart.status_code == 200 and "<html" not in chart.content.decode()
    day = client.get(reverse("rewards:day", args=[summary["last_day"]]))
    entries = PointsEntry.objects.filter(account_id=CREATORS, activity_date=summary["last_day"])
    assert day.status_code == 200
    assert set(map(int, re.findall(r'id="entry-(\d+)"', day.content.decode()))) == set(
        entries.values_list("pk", flat=True)
    )
    # The store the benchmark browses, and the tool it redeems with a fresh key each time.
    store_page = client.get(reverse("store:catalog")).content.decode()
    assert store_page.count("data-item=") == bench_data.STORE_ITEMS
    redeem_url = reverse("store:redeem", args=[bench_data.BENCH_TOOL])
    for n in range(2):
        done = client.post(redeem_url, {"request_key": f"{n:032x}"}, headers={"HX-Request": "true"})
        assert done.status_code == 200, done.content.decode()[:3000]
        assert "Unlocked" in done.content.decode()
    assert Redemption.objects.filter(creator_id=CREATORS).count() == 2


def test_fans_subscribe_read_their_feed_and_chat_in_the_busy_room(
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = seed(capsys, creators=250)
    # Creators 1, 101 and 201 offer three packages; every fan holds live subscriptions.
    assert summary["offering_creators"] == 3 and summary["packages"] == 9
    live = Subscription.objects.filter(state=State.ACTIVE)
    assert live.count() == summary["subscriptions"] == Subscription.objects.count()
    assert set(live.values_list("creator_id", flat=True)) == {1, 101, 201}
    assert live.filter(creator_id=1).count() == summary["room_fans"] == bench_data.MIN_FANS
    assert live.filter(founder_number__isnull=False).count() == 3 * 10
    # Each is paid to a period running now: the daily renewals find nothing due.
    assert services.renew_due().renewed == 0
    assert Post.objects.count() == summary["posts"] == 3 * bench_data.POSTS_PER_CREATOR
    assert ChatMessage.objects.filter(creator_id=1).count() == bench_data.CHAT_MESSAGES

    fan = sign_in(7, bench_data.FAN_EMAIL_PATTERN)
    assert fan.get(reverse("portal:fan_home")).status_code == 200
    feed = fan.get(reverse("subscriptions:feed"))
    assert feed.status_code == 200
    assert len(feed.context["page"].object_list) == 20
    page = fan.get(reverse("subscriptions:creator_page", args=["bench101"]))
    assert page.status_code == 200
    room = fan.get(reverse("subscriptions:chat", args=[summary["chat_handle"]]))
    assert room.status_code == 200
    assert len(room.context["room"].lines) == chat.PAGE_SIZE
    poll = fan.get(
        reverse("subscriptions:chat_messages", args=[summary["chat_handle"]]),
        {"after": room.context["cursor"].after, "first": room.context["cursor"].first},
        headers={"HX-Request": "true"},
    )
    assert poll.status_code == 200 and 'id="chat-poll"' in poll.content.decode()

    # The sandbox charges a seeded card as one it saved itself.
    card = SavedCard.objects.get(customer__user__email=bench_data.FAN_EMAIL_PATTERN.format(n=7))
    attempt = payments_services.charge_card(card=card, amount=799, idempotency_key="bench-seed")
    assert attempt.state == "succeeded"
    [payment] = SandboxPayment.objects.all()
    assert payment.idempotency_key == PaymentAttempt.objects.get().idempotency_key == "bench-seed"


def test_the_same_seed_again_changes_nothing_and_other_parameters_replace_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = seed(capsys)
    ids = set(PointsEntry.objects.values_list("pk", flat=True))
    again = seed(capsys)
    assert again["seeded"] is False and again["entries"] == first["entries"]
    assert set(PointsEntry.objects.values_list("pk", flat=True)) == ids

    call_command("seed_bench_web", creators=CREATORS, days=DAYS)
    assert "already present" in capsys.readouterr().out
    assert seed(capsys, reseed=True)["seeded"] is True

    smaller = seed(capsys, creators=2, days=3)
    assert smaller["seeded"] is True
    assert CreatorProfile.objects.count() == 2 and CreatorDay.objects.count() == 6
    call_command("check_ledger")


def test_it_refuses_a_database_holding_accounts_it_did_not_make() -> None:
    FanFactory()
    with pytest.raises(CommandError, match="dedicated database"):
        call_command("seed_bench_web", creators=CREATORS, days=DAYS)
    assert User.objects.count() == 1
