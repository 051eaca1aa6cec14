from datetime import date

import pytest

from accounts.models import Role, Standing, User

from .factories import BrandFactory, CreatorFactory, FanFactory


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 6, 15), date(2026, 6, 14), 17),
        (date(2008, 6, 15), date(2026, 6, 15), 18),
        (date(2004, 2, 29), date(2022, 2, 28), 17),
        (date(2004, 2, 29), date(2022, 3, 1), 18),
    ],
)
def test_age_on_counts_whole_years_around_birthdays(born: date, on: date, age: int) -> None:
    assert CreatorFactory.build(date_of_birth=born).age_on(on) == age


def test_standing_tone_colours_each_standing() -> None:
    tones = {s: CreatorFactory.build(standing=s).standing_tone for s in Standing}
    assert tones == {Standing.GOOD: "good", Standing.WARNED: "warn", Standing.SUSPENDED: "bad"}


@pytest.mark.django_db
def test_display_name_is_the_creator_name_the_company_or_the_fans_name_never_an_email() -> None:
    assert CreatorFactory(display_name="Maya").user.display_name == "Maya"
    assert BrandFactory(company_name="Glow").user.display_name == "Glow"
    assert FanFactory(email="fan@example.com", name="Jo").display_name == "Jo"
    fan = FanFactory(email="quiet@example.com")
    assert fan.display_name == f"Fan {fan.pk}"  # creators and chats never see a fan's email


@pytest.mark.django_db
def test_create_superuser_is_staff_with_the_staff_role() -> None:
    user = User.objects.create_superuser("Boss@Example.com", "x-Strong-pass-1")
    assert (user.email, user.role, user.is_staff, user.is_superuser) == (
        "boss@example.com",
        Role.STAFF,
        True,
        True,
    )
