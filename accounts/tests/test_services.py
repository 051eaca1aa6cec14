from datetime import date

import pytest
from django.db import IntegrityError
from pytest_django import DjangoAssertNumQueries

from accounts import services, tasks
from accounts.models import CreatorProfile, Role, Standing

from .factories import CreatorFactory, FanFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_creator_profile_makes_the_user_a_creator() -> None:
    user = FanFactory()
    profile = services.create_creator_profile(
        user=user,
        handle="maker",
        display_name="Maker",
        date_of_birth=date(2000, 1, 1),
        country="DE",
        niches=[],
    )
    user.refresh_from_db()
    assert user.role == Role.CREATOR
    assert profile.standing == Standing.GOOD


def test_a_handle_that_races_past_the_form_check_is_refused_by_the_database() -> None:
    CreatorFactory(handle="Maker")
    with pytest.raises(services.AccountsError, match="@MAKER was just taken"):
        services.create_creator_profile(
            user=UserFactory(),
            handle="MAKER",
            display_name="X",
            date_of_birth=date(2000, 1, 1),
            country="DE",
            niches=[],
        )
    assert CreatorProfile.objects.count() == 1


def test_handle_uniqueness_ignores_case_in_the_database_itself() -> None:
    CreatorFactory(handle="Maker")
    with pytest.raises(IntegrityError):
        CreatorProfile.objects.create(
            user=UserFactory(),
            handle="mAkEr",
            display_name="X",
            date_of_birth=date(2000, 1, 1),
            country="DE",
        )


def test_email_uniqueness_ignores_case_in_the_database_itself() -> None:
    UserFactory(email="someone@example.com")
    with pytest.raises(IntegrityError):
        UserFactory.create(email="SomeOne@example.com", verified=False)


def test_set_standing_records_reason_and_time_and_ignores_no_change() -> None:
    creator = CreatorFactory()
    changed = services.set_standing(
        creator=creator, standing=Standing.WARNED, reason="Reused clips"
    )
    assert (changed.standing, changed.standing_reason) == (Standing.WARNED, "Reused clips")
    first_change = changed.standing_changed_at
    assert first_change is not None
    again = services.set_standing(creator=creator, standing=Standing.WARNED, reason="Other")
    assert (again.standing_reason, again.standing_changed_at) == ("Reused clips", first_change)


def test_set_standing_refuses_an_unknown_standing() -> None:
    with pytest.raises(services.AccountsError):
        services.set_standing(creator=CreatorFactory(), standing="banned")


def test_record_followers_writes_a_new_count_and_skips_an_unchanged_one(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    creator = CreatorFactory(followers=1_000)
    with django_assert_num_queries(0):
        assert services.record_followers(creator=creator, followers=1_000) is False
    with django_assert_num_queries(1):
        assert services.record_followers(creator=creator, followers=1_250) is True
    assert creator.followers == 1_250
    creator.refresh_from_db()
    assert creator.followers == 1_250


def test_a_notification_is_emailed_once_and_never_to_a_closed_account(
    mailoutbox: list, django_capture_on_commit_callbacks: object
) -> None:
    fan = FanFactory()
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.notify(user=fan, subject="Your export is ready", body="Download it.")
    assert [m.to for m in mailoutbox] == [[fan.email]]
    assert tasks.email_notification(sent.pk) is False  # already sent: not twice

    closed = FanFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(user=closed, subject="Payout approved", body="For the records.")
    assert len(mailoutbox) == 1
