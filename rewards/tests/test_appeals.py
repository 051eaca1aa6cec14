"""A creator appeals a flag from their points drill-down and reads staff's answer there."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import CreatorProfile, User
from accounts.tests.factories import CreatorFactory
from activity import services as activity_services
from activity.models import AppealStatus, EngagementFlag, FlagAppeal, FlagReason, FlagStatus
from activity.tests.factories import DAY, VideoDayFactory, VideoFactory

pytestmark = pytest.mark.django_db
DAY_PAGE = reverse("rewards:day", args=[DAY.isoformat()])
HTMX = {"HTTP_HX_REQUEST": "true"}


def make_flag(creator: CreatorProfile) -> EngagementFlag:
    stat = VideoDayFactory(video=VideoFactory(creator=creator, title="Sourdough in 60 s"))
    return EngagementFlag.objects.create(
        video_day=stat,
        creator=creator,
        day=stat.day,
        reason=FlagReason.BOT_MARKED,
        detail="the platform marked 600 views as coming from bot accounts",
        excluded_views=600,
    )


def appeal_url(flag: EngagementFlag) -> str:
    return reverse("rewards:appeal_flag", args=[flag.pk])


def test_the_drill_down_offers_an_appeal_for_each_flag(
    creator_client: Client, creator: CreatorProfile
) -> None:
    flag = make_flag(creator)
    html = creator_client.get(DAY_PAGE).content.decode()
    assert f'id="flag-{flag.pk}"' in html
    assert f'action="{appeal_url(flag)}"' in html
    assert "Why is this flag wrong?" in html


def test_a_creator_appeals_and_sees_it_waiting(
    creator_client: Client, creator: CreatorProfile
) -> None:
    flag = make_flag(creator)
    response = creator_client.post(appeal_url(flag), {"message": "A big account shared it."})
    assert response.status_code == 302
    assert response.url == f"{DAY_PAGE}#flag-{flag.pk}"
    appeal = FlagAppeal.objects.get()
    assert (appeal.flag, appeal.status, appeal.message) == (
        flag,
        AppealStatus.OPEN,
        "A big account shared it.",
    )
    html = creator_client.get(DAY_PAGE).content.decode()
    assert "A big account shared it." in html
    assert "Waiting for staff's answer." in html
    assert f'action="{appeal_url(flag)}"' not in html  # no second appeal while one waits


def test_an_htmx_appeal_swaps_the_flags_region(
    creator_client: Client, creator: CreatorProfile
) -> None:
    flag = make_flag(creator)
    response = creator_client.post(
        appeal_url(flag), {"message": "<b>Real</b> viewers, I promise."}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li id="flag-{flag.pk}"')
    assert "&lt;b&gt;Real&lt;/b&gt; viewers" in html  # shown as the text it is
    assert "Your appeal is with staff." in html


def test_the_answer_is_shown_beside_the_flag(
    creator_client: Client, creator: CreatorProfile, staff: User
) -> None:
    flag = make_flag(creator)
    appeal = activity_services.appeal_flag(
        creator=creator, flag=flag, message="A big account shared it."
    )
    activity_services.answer_appeal(
        appeal_id=appeal.pk,
        verdict=FlagStatus.CONFIRMED,
        answer="The platform is sure these were bots.",
        reviewer=staff,
    )
    html = creator_client.get(DAY_PAGE).content.decode()
    assert "The platform is sure these were bots." in html
    assert "appeal not accepted, the flag stands" in html
    assert "Appeal again" in html  # the flag still holds something back


@pytest.mark.parametrize(
    ("message", "error"),
    [("", "at least 10 characters"), ("x" * 1_001, "at most 1,000 fit")],
)
def test_a_refused_appeal_says_why(
    creator_client: Client, creator: CreatorProfile, message: str, error: str
) -> None:
    flag = make_flag(creator)
    plain = creator_client.post(appeal_url(flag), {"message": message})
    assert plain.status_code == 400
    assert error in plain.content.decode()
    swapped = creator_client.post(appeal_url(flag), {"message": message}, **HTMX)
    assert swapped.status_code == 422
    assert error in swapped.content.decode()
    assert not FlagAppeal.objects.exists()


def test_a_creator_cannot_appeal_another_creators_flag(creator_client: Client) -> None:
    theirs = make_flag(CreatorFactory())
    response = creator_client.post(appeal_url(theirs), {"message": "This one is mine now."})
    assert response.status_code == 404
    missing = reverse("rewards:appeal_flag", args=[theirs.pk + 1_000])
    assert creator_client.post(missing, {"message": "Nothing here at all."}).status_code == 404
    assert not FlagAppeal.objects.exists()


def test_the_drill_down_reads_appeals_in_two_queries(
    creator_client: Client, creator: CreatorProfile, django_assert_max_num_queries: object
) -> None:
    for _ in range(3):
        activity_services.appeal_flag(
            creator=creator, flag=make_flag(creator), message="A big account shared it."
        )
    creator_client.get(DAY_PAGE)  # the cached region filled
    # The user and profile, the ledger's version, the flags and their appeals.
    with django_assert_max_num_queries(6):
        html = creator_client.get(DAY_PAGE).content.decode()
    assert html.count("A big account shared it.") == 3


@pytest.mark.parametrize("role", ["fan_client", "brand_client", "staff_client"])
def test_only_creators_appeal(request: pytest.FixtureRequest, role: str) -> None:
    flag = make_flag(CreatorFactory())
    client: Client = request.getfixturevalue(role)
    assert client.post(appeal_url(flag), {"message": "Let me appeal this."}).status_code == 403
    assert not FlagAppeal.objects.exists()


def test_visitors_are_sent_to_sign_in_and_gets_are_refused(
    client: Client, creator_client: Client, creator: CreatorProfile
) -> None:
    flag = make_flag(creator)
    response = client.post(appeal_url(flag), {"message": "Let me appeal this."})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert creator_client.get(appeal_url(flag)).status_code == 405
