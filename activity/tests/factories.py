import datetime as dt

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import CreatorFactory
from activity.models import AudienceDay, CreatorDay, Video, VideoDay

DAY = dt.date(2026, 11, 18)


class VideoFactory(DjangoModelFactory):
    class Meta:
        model = Video

    record_id = factory.Sequence(lambda n: f"vid-{n}")
    creator = factory.SubFactory(CreatorFactory)
    title = factory.Sequence(lambda n: f"Video {n}")
    published_at = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    duration_s = 75
    is_original = True


class VideoDayFactory(DjangoModelFactory):
    class Meta:
        model = VideoDay

    record_id = factory.Sequence(lambda n: f"vd-{n}")
    video = factory.SubFactory(VideoFactory)
    creator = factory.LazyAttribute(lambda o: o.video.creator)
    day = DAY
    views = 1_000
    views_5s = 800
    likes = 60
    comments = 10
    shares = 5


class CreatorDayFactory(DjangoModelFactory):
    class Meta:
        model = CreatorDay

    record_id = factory.Sequence(lambda n: f"cd-{n}")
    creator = factory.SubFactory(CreatorFactory)
    day = DAY
    followers = 12_000


class AudienceDayFactory(DjangoModelFactory):
    class Meta:
        model = AudienceDay

    record_id = factory.Sequence(lambda n: f"aud-{n}")
    creator = factory.SubFactory(CreatorFactory)
    day = DAY
    countries = factory.LazyFunction(lambda: {"GB": 5_000, "US": 3_000, "other": 2_000})
    age_bands = factory.LazyFunction(lambda: {"18-24": 6_000, "25-34": 4_000})
    genders = factory.LazyFunction(lambda: {"female": 5_500, "male": 4_500})
