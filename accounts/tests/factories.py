from datetime import date

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from accounts.models import BrandProfile, CreatorProfile, Industry, Niche, Role, User

PASSWORD = "a-Strong-test-pass-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    role = Role.FAN
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """A verified primary address, as after allauth's confirmation, unless verified=False."""
        if not create:
            return
        obj.save()  # keep the password set by the post-generation call above
        if extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class FanFactory(UserFactory):
    role = Role.FAN


class StaffFactory(UserFactory):
    role = Role.STAFF
    is_staff = True
    is_superuser = True


class CreatorFactory(DjangoModelFactory):
    class Meta:
        model = CreatorProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.CREATOR)
    handle = factory.Sequence(lambda n: f"creator{n}")
    display_name = factory.Sequence(lambda n: f"Creator {n}")
    date_of_birth = date(1996, 5, 17)
    country = "GB"
    followers = 1_000

    @factory.post_generation
    def niches(obj: CreatorProfile, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create:
            obj.niches.set(extracted if extracted is not None else Niche.objects.all()[:2])


class BrandFactory(DjangoModelFactory):
    class Meta:
        model = BrandProfile

    user = factory.SubFactory(UserFactory, role=Role.BRAND)
    company_name = factory.Sequence(lambda n: f"Brand {n} Ltd")
    website = "https://brand.example.com"
    industry = Industry.BEAUTY
