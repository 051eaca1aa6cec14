"""Reviews of flags and creators' appeals (activity.services), and admin's review actions."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, CreatorProfile, Notification, User
from accounts.tests.factories import CreatorFactory, StaffFactory
from activity import services
from activity.models import (
    AppealStatus,
    EngagementFlag,
    FlagAppeal,
    FlagReason,
    FlagStatus,
    VideoDay,
)
from activity.tests.factories import DAY, VideoDayFactory, VideoFactory

pytestmark = pytest.mark.django_db


def make_flag(
    creator: CreatorProfile | None = None, reason: str = FlagReason.BOT_MARKED, **amounts: int
) -> EngagementFlag:
    stat: VideoDay = VideoDayFactory(
        video=VideoFactory(creator=creator or CreatorFactory()), views=10_000, views_5s=9_000
    )
    return EngagementFlag.objects.create(
        video_day=stat,
        creator=stat.creator,
        day=stat.day,
        reason=reason,
        detail="the platform marked 6,000 views as coming from bot accounts",
        excluded_views=amounts.get("views", 6_000),
        excluded_likes=amounts.get("likes", 0),
    )


def review(flags: list[EngagementFlag], verdict: str, reviewer: User, note: str = "") -> object:
    return services.review_flags(
        flag_ids=[flag.pk for flag in flags], verdict=verdict, reviewer=reviewer, note=note
    )


def test_a_bulk_review_records_the_verdict_reviewer_time_and_note_on_every_flag(
    staff: User,
) -> None:
    flags = [make_flag(), make_flag()]
    before = timezone.now()
    result = review(flags, FlagStatus.DISMISSED, staff, note="  Viral   day\r\n")
    assert result.changed == sorted(flag.pk for flag in flags)
    assert result.summary() == "2 flags dismissed."
    for flag in EngagementFlag.objects.all():
        assert flag.status == FlagStatus.DISMISSED
        assert flag.reviewed_by == staff
        assert flag.reviewed_at >= before
        assert flag.review_note == "Viral   day"
    # One audit entry a flag, with the verdict and the note, shown to the flag's creator.
    entries = AuditEntry.objects.order_by("object_id")
    assert [
        (e.object_id, e.action, e.changes, e.reason, e.actor, e.creator_id, e.shown_to_creator)
        for e in entries
    ] == [
        (
            str(f.pk),
            "dismissed",
            {"status": ["open", "dismissed"]},
            "Viral   day",
            staff,
            f.creator_id,
            True,
        )
        for f in sorted(flags, key=lambda f: str(f.pk))
    ]


def test_the_same_review_twice_changes_nothing_the_second_time(staff: User) -> None:
    flag = make_flag()
    review([flag], FlagStatus.CONFIRMED, staff, note="first")
    first = EngagementFlag.objects.get()
    other = StaffFactory()
    again = review([flag], FlagStatus.CONFIRMED, other, note="second")
    assert (again.changed, again.unchanged) == ([], [flag.pk])
    assert "1 flag was confirmed already" in again.summary()
    assert AuditEntry.objects.count() == 1  # the second review changed nothing to record
    now = EngagementFlag.objects.get()
    assert (now.reviewed_by, now.reviewed_at, now.review_note) == (
        staff,
        first.reviewed_at,
        "first",
    )


def test_a_confirmed_flag_can_be_dismissed_later(staff: User) -> None:
    flag = make_flag()
    review([flag], FlagStatus.CONFIRMED, staff)
    review([flag], FlagStatus.DISMISSED, staff, note="on appeal")
    flag.refresh_from_db()
    assert (flag.status, flag.review_note) == (FlagStatus.DISMISSED, "on appeal")


@pytest.mark.parametrize(
    ("ids", "verdict", "note", "message"),
    [
        ([], FlagStatus.DISMISSED, "", "Choose at least one flag"),
        ([999_999], FlagStatus.DISMISSED, "", "No such flag: 999999"),
        (None, FlagStatus.OPEN, "", "either confirms or dismisses"),
        (None, FlagStatus.DISMISSED, "x" * 301, "at most 300 fit"),
    ],
)
def test_a_review_refuses_bad_input_and_changes_nothing(
    staff: User, ids: list[int] | None, verdict: str, note: str, message: str
) -> None:
    flag = make_flag()
    with pytest.raises(services.ActivityError, match=message):
        services.review_flags(
            flag_ids=[flag.pk] if ids is None else ids, verdict=verdict, reviewer=staff, note=note
        )
    flag.refresh_from_db()
    assert (flag.status, flag.reviewed_at) == (FlagStatus.OPEN, None)


def test_a_review_naming_one_unknown_flag_reviews_none(staff: User) -> None:
    flag = make_flag()
    with pytest.raises(services.ActivityError, match="No such flag"):
        services.review_flags(
            flag_ids=[flag.pk, flag.pk + 1_000], verdict=FlagStatus.DISMISSED, reviewer=staff
        )
    assert EngagementFlag.objects.get().status == FlagStatus.OPEN


# Appeals ----------------------------------------------------------------------------------


def test_a_creator_appeals_their_flag_with_a_cleaned_message(creator: CreatorProfile) -> None:
    flag = make_flag(creator)
    appeal = services.appeal_flag(
        creator=creator,
        flag=flag,
        message="\u202eIt was\x00 a viral day   \r\n\r\n\r\n\r\nshared by a big account.\u200b ",
    )
    assert appeal.status == AppealStatus.OPEN
    assert appeal.message == "It was a viral day\n\nshared by a big account."


def test_a_creator_cannot_appeal_someone_elses_flag(creator: CreatorProfile) -> None:
    flag = make_flag()
    with pytest.raises(services.ActivityError, match="only your own flags"):
        services.appeal_flag(creator=creator, flag=flag, message="This is my flag, honestly.")
    assert not FlagAppeal.objects.exists()


@pytest.mark.parametrize(
    ("message", "error"),
    [("", "at least 10 characters"), ("   too\n  ", "at least 10"), ("x" * 1_001, "1,000 fit")],
)
def test_an_empty_short_or_long_message_is_refused(
    creator: CreatorProfile, message: str, error: str
) -> None:
    with pytest.raises(services.ActivityError, match=error):
        services.appeal_flag(creator=creator, flag=make_flag(creator), message=message)


def test_one_appeal_waits_per_flag_and_the_database_refuses_a_second(
    creator: CreatorProfile,
) -> None:
    flag = make_flag(creator)
    services.appeal_flag(creator=creator, flag=flag, message="Real viewers, a viral day.")
    with pytest.raises(services.ActivityError, match="waiting for an answer already"):
        services.appeal_flag(creator=creator, flag=flag, message="Again, please look at it.")
    # Past the service's check (two requests at once): the constraint still holds.
    with pytest.raises(IntegrityError), transaction.atomic():
        FlagAppeal.objects.create(flag=flag, message="A second one in a race.")
    assert FlagAppeal.objects.count() == 1


def test_a_dismissed_flag_cannot_be_appealed(creator: CreatorProfile, staff: User) -> None:
    flag = make_flag(creator)
    review([flag], FlagStatus.DISMISSED, staff)
    with pytest.raises(services.ActivityError, match="nothing to appeal"):
        services.appeal_flag(creator=creator, flag=flag, message="Please count it again.")


def test_answering_an_appeal_reviews_the_flag_and_tells_the_creator(
    creator: CreatorProfile, staff: User
) -> None:
    flag = make_flag(creator)
    appeal = services.appeal_flag(creator=creator, flag=flag, message="Real viewers, honestly.")
    answered = services.answer_appeal(
        appeal_id=appeal.pk,
        verdict=FlagStatus.DISMISSED,
        answer="You are right: a big account shared it.",
        reviewer=staff,
        answer_link=lambda f: f"/rewards/days/{f.day}/#flag-{f.pk}",
    )
    assert answered.status == AppealStatus.ANSWERED
    assert (answered.verdict, answered.answered_by) == (FlagStatus.DISMISSED, staff)
    assert answered.answer == "You are right: a big account shared it."
    flag.refresh_from_db()
    assert (flag.status, flag.review_note) == (FlagStatus.DISMISSED, answered.answer)
    [notice] = Notification.objects.filter(user=creator.user)
    assert "appeal was accepted" in notice.body
    assert answered.answer in notice.body
    assert notice.link == f"/rewards/days/{DAY}/#flag-{flag.pk}"
    # Answering again (a double click) changes nothing and tells nobody twice.
    services.answer_appeal(
        appeal_id=appeal.pk, verdict=FlagStatus.CONFIRMED, answer="No.", reviewer=staff
    )
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED
    assert Notification.objects.filter(user=creator.user).count() == 1


def test_a_bulk_review_over_an_appealed_flag_needs_a_note_which_answers_it(
    creator: CreatorProfile, staff: User
) -> None:
    appealed, plain = make_flag(creator), make_flag()
    services.appeal_flag(creator=creator, flag=appealed, message="Real viewers, honestly.")
    with pytest.raises(services.ActivityError, match="1 flag has an appeal waiting"):
        review([appealed, plain], FlagStatus.CONFIRMED, staff)
    assert not EngagementFlag.objects.exclude(status=FlagStatus.OPEN).exists()

    result = review([appealed, plain], FlagStatus.CONFIRMED, staff, note="Bots, per the platform.")
    assert result.answered == 1
    appeal = FlagAppeal.objects.get()
    assert (appeal.status, appeal.verdict) == (AppealStatus.ANSWERED, FlagStatus.CONFIRMED)
    assert appeal.answer == "Bots, per the platform."
    [notice] = Notification.objects.filter(user=creator.user)
    assert "not accepted" in notice.body
    # Once answered, the creator may appeal again while the flag holds something back.
    services.appeal_flag(creator=creator, flag=appealed, message="Here is more evidence now.")
    assert FlagAppeal.objects.filter(status=AppealStatus.OPEN).count() == 1


def test_answering_an_unknown_appeal_or_without_words_is_refused(
    creator: CreatorProfile, staff: User
) -> None:
    with pytest.raises(services.ActivityError, match="No such appeal"):
        services.answer_appeal(
            appeal_id=12345, verdict=FlagStatus.DISMISSED, answer="Yes.", reviewer=staff
        )
    appeal = services.appeal_flag(
        creator=creator, flag=make_flag(creator), message="Real viewers, honestly."
    )
    with pytest.raises(services.ActivityError, match="Write an answer"):
        services.answer_appeal(
            appeal_id=appeal.pk, verdict=FlagStatus.DISMISSED, answer=" \n", reviewer=staff
        )
    assert FlagAppeal.objects.get().status == AppealStatus.OPEN


# Admin's actions go through the same service --------------------------------------------


def test_admin_dismisses_flags_through_the_service_with_a_note(
    staff_client: Client, staff: User
) -> None:
    flags = [make_flag(), make_flag()]
    url = reverse("admin:activity_engagementflag_changelist")
    selected = {"action": "dismiss", "_selected_action": [flag.pk for flag in flags]}
    asked = staff_client.post(url, selected)
    assert asked.status_code == 200
    assert "Dismiss 2 flag(s)" in asked.content.decode()
    done = staff_client.post(url, {**selected, "apply": "1", "reason": "Checked by hand"})
    assert done.status_code == 302
    assert set(EngagementFlag.objects.values_list("status", "reviewed_by", "review_note")) == {
        (FlagStatus.DISMISSED, staff.pk, "Checked by hand")
    }


def test_admin_reports_a_flag_under_appeal_reviewed_without_a_note(
    staff_client: Client, creator: CreatorProfile
) -> None:
    appealed, plain = make_flag(creator), make_flag()
    services.appeal_flag(creator=creator, flag=appealed, message="Real viewers, honestly.")
    url = reverse("admin:activity_engagementflag_changelist")
    response = staff_client.post(
        url,
        {
            "action": "confirm",
            "_selected_action": [appealed.pk, plain.pk],
            "apply": "1",
            "reason": "",
        },
        follow=True,
    )
    text = response.content.decode()
    assert f"Flag {appealed.pk}: 1 flag has an appeal waiting" in text
    statuses = dict(EngagementFlag.objects.values_list("pk", "status"))
    assert statuses == {appealed.pk: FlagStatus.OPEN, plain.pk: FlagStatus.CONFIRMED}
