import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import audit
from accounts import services as accounts_services
from accounts.models import CreatorProfile, User
from core import regions
from core.plurals import plural

from .models import AppealStatus, EngagementFlag, FlagAppeal, FlagStatus, Integration
from .selectors import FLAGS_VERSION_KEY


class ActivityError(Exception):
    """A request the activity rules refuse; the message is safe to show."""


# Reviews and appeals ----------------------------------------------------------------------
#
# Staff review flags from the fraud review page (reports) and from admin, both through
# `review_flags`; creators appeal from their points drill-down (rewards) through
# `appeal_flag`. A review records who and when only for flags whose status it changes, so
# the same review sent twice (a double click, a retried request) changes nothing the second
# time; the nightly job sees the new `reviewed_at` and recalculates the day
# (selectors.days_changed_since_runs), which pays a dismissal back as a correction.

VERDICTS = (FlagStatus.CONFIRMED, FlagStatus.DISMISSED)
# What a review may say: the flag's own note field.
NOTE_MAX = EngagementFlag._meta.get_field("review_note").max_length
# Most flags one review may touch: a page of the queue is 50; admin's "select all" is capped
# here so one request cannot lock an unbounded number of rows.
REVIEW_MAX = 500

# Control characters (other than newline and tab), zero-width and bidirectional controls: a
# message is plain text for people to read, and these only hide or reorder what it says.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def clean_text(text: str) -> str:
    """Text as people typed it, made safe to keep and show: NFC-normalised, line endings
    unified, invisible and control characters removed, each line's trailing spaces and runs
    of blank lines trimmed. Pages still escape it; this keeps what is stored honest."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text).replace("\t", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True)
class Review:
    """What a review did: the flags whose status changed, those that already had the
    verdict, and the appeals it answered."""

    verdict: str
    changed: list[int]
    unchanged: list[int]
    answered: int

    def summary(self) -> str:
        done = "confirmed" if self.verdict == FlagStatus.CONFIRMED else "dismissed"
        text = f"{plural(len(self.changed), 'flag')} {done}"
        if self.unchanged:
            text += f"; {plural(len(self.unchanged), 'flag was', 'flags were')} {done} already"
        if self.answered:
            text += f"; {plural(self.answered, 'appeal')} answered and the creator told"
        return text + "."


def _no_link(flag: EngagementFlag) -> str:
    return ""


@transaction.atomic
def review_flags(
    *,
    flag_ids: Collection[int],
    verdict: str,
    reviewer: User,
    note: str = "",
    answer_link: Callable[[EngagementFlag], str] = _no_link,
) -> Review:
    """Confirm or dismiss flags, with one note for all. A dismissal pays the amounts back at
    the next recalculation. Flags that already have the verdict keep their first review.

    A flag whose creator's appeal is waiting needs a note: it answers the appeal, and the
    creator is notified with a link to `answer_link(flag)` (the caller knows the creator's
    page; activity knows no higher app's addresses)."""
    regions.bump(FLAGS_VERSION_KEY)
    if verdict not in VERDICTS:
        raise ActivityError("A review either confirms or dismisses a flag.")
    ids = set(flag_ids)
    if not ids:
        raise ActivityError("Choose at least one flag to review.")
    if len(ids) > REVIEW_MAX:
        raise ActivityError(f"Review at most {REVIEW_MAX:,} flags at a time.")
    note = clean_text(note)
    if len(note) > NOTE_MAX:
        raise ActivityError(f"The note is {len(note):,} characters; at most {NOTE_MAX} fit.")
    # Locked in id order, so two reviews of overlapping selections cannot deadlock.
    flags = list(EngagementFlag.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if missing := ids - {flag.pk for flag in flags}:
        shown = ", ".join(str(pk) for pk in sorted(missing)[:5])
        raise ActivityError(f"No such flag: {shown}. The queue may have changed; reload it.")
    appeals = list(
        FlagAppeal.objects.select_for_update(of=("self",))
        .filter(flag__in=flags, status=AppealStatus.OPEN)
        .select_related("flag__creator__user")
        .order_by("pk")
    )
    if appeals and not note:
        raise ActivityError(
            f"{plural(len(appeals), 'flag has', 'flags have')} an appeal waiting: write a note, "
            "which is sent to the creator as the answer."
        )
    now = timezone.now()
    changed = [flag.pk for flag in flags if flag.status != verdict]
    if changed:
        EngagementFlag.objects.filter(pk__in=changed).update(
            status=verdict, reviewed_by=reviewer, reviewed_at=now, review_note=note
        )
    # The audit trail: each verdict that changed a flag, shown to its creator (it moves their
    # points at the next recalculation); one INSERT for the whole selection.
    audit.record_many(
        actor=reviewer,
        targets=[flag for flag in flags if flag.pk in changed],
        action="confirmed" if verdict == FlagStatus.CONFIRMED else "dismissed",
        changes_of=lambda flag: {"status": [flag.status, verdict]},
        reason=note,
        shown_to_creator=True,
    )
    if appeals:
        FlagAppeal.objects.filter(pk__in=[appeal.pk for appeal in appeals]).update(
            status=AppealStatus.ANSWERED,
            verdict=verdict,
            answer=note,
            answered_at=now,
            answered_by=reviewer,
        )
    for appeal in appeals:
        _tell_creator(appeal.flag, verdict=verdict, answer=note, link=answer_link(appeal.flag))
    return Review(verdict, changed, sorted(ids - set(changed)), len(appeals))


def _tell_creator(flag: EngagementFlag, *, verdict: str, answer: str, link: str) -> None:
    if verdict == FlagStatus.DISMISSED:
        outcome = (
            "Your appeal was accepted: the flag is dismissed, and what it set aside is paid "
            "back at the next nightly calculation, as a correction."
        )
    else:
        outcome = "Your appeal was not accepted: the flag stands, and what it set aside stays out."
    accounts_services.notify(
        user=flag.creator.user,
        subject=f"Your appeal of the flag on {flag.day.day} {flag.day:%b %Y} was answered",
        body=f"{outcome}\n\nStaff's answer: {answer}",
        link=link,
    )


def review_flag(
    *, flag: EngagementFlag, verdict: str, reviewer: User, note: str = ""
) -> EngagementFlag:
    """Confirm or dismiss one flag (see `review_flags`); the flag as it now stands."""
    review_flags(flag_ids=[flag.pk], verdict=verdict, reviewer=reviewer, note=note)
    flag.refresh_from_db()
    return flag


@transaction.atomic
def answer_appeal(
    *,
    appeal_id: int,
    verdict: str,
    answer: str,
    reviewer: User,
    answer_link: Callable[[EngagementFlag], str] = _no_link,
) -> FlagAppeal:
    """Answer one appeal by confirming or dismissing its flag, the answer as the review's
    note. An appeal already answered is returned as it is: nothing changes twice."""
    regions.bump(FLAGS_VERSION_KEY)
    appeal = (
        FlagAppeal.objects.select_for_update(of=("self",))
        .select_related("flag")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise ActivityError("No such appeal. The queue may have changed; reload it.")
    if not appeal.is_open:
        return appeal
    if not clean_text(answer):
        raise ActivityError("Write an answer: the creator reads it beside the flag.")
    review_flags(
        flag_ids=[appeal.flag_id],
        verdict=verdict,
        reviewer=reviewer,
        note=answer,
        answer_link=answer_link,
    )
    appeal.refresh_from_db()
    return appeal


# What a creator may write: enough for a case, little enough to read in the queue.
APPEAL_MIN = 10


def appeal_flag(*, creator: CreatorProfile, flag: EngagementFlag, message: str) -> FlagAppeal:
    """The creator's appeal of their own flag, waiting for staff. Refused for someone else's
    flag, a dismissed flag (it holds nothing back), an empty or over-long message, and while
    another appeal of the flag waits (the database refuses a second, even in a race)."""
    regions.bump(FLAGS_VERSION_KEY)
    if flag.creator_id != creator.pk:
        raise ActivityError("You can appeal only your own flags.")
    message = clean_text(message)
    if len(message) < APPEAL_MIN:
        raise ActivityError(
            f"Say why the flag is wrong in at least {APPEAL_MIN} characters: staff read it "
            "beside the numbers."
        )
    if len(message) > FlagAppeal.MESSAGE_MAX:
        raise ActivityError(
            f"The message is {len(message):,} characters; at most {FlagAppeal.MESSAGE_MAX:,} fit."
        )
    with transaction.atomic():
        flag = EngagementFlag.objects.select_for_update().get(pk=flag.pk)
        if flag.status == FlagStatus.DISMISSED:
            raise ActivityError(
                "This flag is dismissed: everything it set aside counts again, so there is "
                "nothing to appeal."
            )
        if flag.appeals.filter(status=AppealStatus.OPEN).exists():
            raise ActivityError("Your appeal of this flag is waiting for an answer already.")
        try:
            with transaction.atomic():
                return FlagAppeal.objects.create(flag=flag, message=message)
        except IntegrityError:  # another request's appeal landed first
            raise ActivityError(
                "Your appeal of this flag is waiting for an answer already."
            ) from None


def create_integration(*, name: str) -> tuple[Integration, str]:
    """A new integration and its token, which is returned this once and never stored."""
    integration = Integration(name=name)
    return integration, issue_integration_token(integration=integration)


def issue_integration_token(*, integration: Integration) -> str:
    """Give the integration a new token and save it; its old token, if any, stops working.

    The token is returned this once and never stored. An integration not yet saved (as admin's
    add form builds one) is created with its token, so none exists without one."""
    token = integration.issue_token()
    if integration.pk is None:
        integration.save()
    else:
        integration.save(update_fields=["token_hash", "token_prefix"])
    return token


# --- closing an account (privacy.closing) -----------------------------------------------------


def erase_appeals_of(*, creator: CreatorProfile) -> int:
    """Replace the words of a closing creator's flag appeals with "[removed]" (the appeals,
    their verdicts and staff's answers stay). Returns how many changed."""
    return (
        FlagAppeal.objects.filter(flag__creator=creator)
        .exclude(message="[removed]")
        .update(message="[removed]")
    )
