import json
import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .ingestion import ingest_records
from .models import Integration

logger = logging.getLogger(__name__)


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def integration_token_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Machine callers only: `Authorization: Bearer <token>` of an active integration."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return _error(401, "Send the integration's token as 'Authorization: Bearer <token>'.")
        integration = Integration.objects.filter(
            token_hash=Integration.hash_token(token.strip()), is_active=True
        ).first()
        if integration is None:
            return _error(401, "That token is not an active integration's.")
        Integration.objects.filter(pk=integration.pk).update(last_used_at=timezone.now())
        request.integration = integration
        return view(request, *args, **kwargs)

    wrapped.access_rule = "integration-token"  # type: ignore[attr-defined]
    return wrapped


@csrf_exempt  # a machine endpoint authenticated by its token, never by a browser session
@require_POST
@integration_token_required
def ingest_batch(request: HttpRequest) -> JsonResponse:
    """Take a batch of activity records: {"records": [{"type": ..., "id": ..., ...}, ...]}."""
    max_bytes, max_records = settings.ACTIVITY_BATCH_MAX_BYTES, settings.ACTIVITY_BATCH_MAX_RECORDS
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return _error(400, "Content-Length must be a number.")
    if declared > max_bytes or len(request.body) > max_bytes:
        return _error(413, f"A batch may be at most {max_bytes:,} bytes.")
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        return _error(400, f"The body is not valid JSON: {exc}")
    records = payload.get("records") if isinstance(payload, dict) else None
    if not isinstance(records, list):
        return _error(400, 'The body must be a JSON object with a "records" list.')
    if len(records) > max_records:
        return _error(413, f"A batch may hold at most {max_records:,} records; split it.")
    try:
        report = ingest_records(records)
    except DatabaseError:
        # The batch is one transaction: when the database itself fails, nothing was applied.
        logger.exception("A batch of %d records could not be stored.", len(records))
        return _error(
            503, "The database could not take the batch; nothing in it was stored. Send it again."
        )
    except Exception:
        logger.exception("A batch of %d records failed.", len(records))
        return _error(500, "The batch failed on our side; nothing in it was stored.")
    return JsonResponse(report.as_dict())
