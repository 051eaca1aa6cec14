from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Notification


@shared_task(name="accounts.email_notification", acks_late=True, max_retries=5)
def email_notification(notification_id: int) -> bool:
    """Send one notification by email; a second run finds it sent and does nothing."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    if not notification.user.is_active:
        # A closed account (privacy.closing): its address is a placeholder, and events
        # after the closing (a final payout approved) are for the portal's records only.
        return False
    body = notification.body
    if notification.link:
        body += f"\n\n{settings.PORTAL_URL.rstrip('/')}{notification.link}"
    try:
        send_mail(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + notification.subject,
            body,
            None,
            [notification.user.email],
        )
    except Exception as error:
        # Not sent after all: release the claim so the retry can send it.
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise email_notification.retry(exc=error, countdown=60) from error
    return True
