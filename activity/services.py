from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .models import EngagementFlag, FlagStatus, Integration


class ActivityError(Exception):
    """A request the activity rules refuse; the message is safe to show."""


@transaction.atomic
def review_flag(
    *, flag: EngagementFlag, verdict: str, reviewer: User, note: str = ""
) -> EngagementFlag:
    """Confirm or dismiss a flag. A dismissal pays the amounts back at the next recalculation."""
    if verdict not in (FlagStatus.CONFIRMED, FlagStatus.DISMISSED):
        raise ActivityError("A review either confirms or dismisses a flag.")
    flag = EngagementFlag.objects.select_for_update().get(pk=flag.pk)
    flag.status = verdict
    flag.reviewed_by = reviewer
    flag.reviewed_at = timezone.now()
    flag.review_note = note
    flag.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    return flag


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
