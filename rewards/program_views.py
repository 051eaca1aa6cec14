"""The creator's Creator Rewards Program statements: the months, and one month's lines."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.access import creator_required
from core.http import bad_request
from core.money import format_minor

from . import program
from .models import LineKind, ProgramLine


@creator_required
@require_GET
def program_months(request: HttpRequest) -> HttpResponse:
    """Every month the creator has a program statement for, newest first."""
    statements = [
        (s, format_minor(s.total_minor, s.currency))
        for s in request.user.creator.program_statements.order_by("-month")
    ]
    return render(request, "rewards/program_months.html", {"statements": statements})


@creator_required
@require_GET
def program_statement(request: HttpRequest, month: str) -> HttpResponse:
    """One month's statement: every video line with its factors, the corrections, the total
    that went into earnings. Only the creator's own: another month is a 404."""
    try:
        first = program.parse_month(month)
    except program.ProgramError as exc:
        return bad_request(request, str(exc))
    statement = get_object_or_404(request.user.creator.program_statements, month=first)
    lines = list(statement.lines.select_related("video").order_by("kind", "-amount_minor", "pk"))

    def money(amount: int) -> str:
        return format_minor(amount, statement.currency)

    rows = [(line, money(line.base_rate_minor), money(line.amount_minor)) for line in lines]
    carried_to = None
    if statement.is_closed and statement.total_minor < 0:
        carried_to = (
            ProgramLine.objects.filter(
                creator=statement.creator_id, kind=LineKind.CARRIED, activity_month=first
            )
            .values_list("statement__month", flat=True)
            .first()
        )
    return render(
        request,
        "rewards/program_statement.html",
        {
            "statement": statement,
            "month_rows": [row for row in rows if row[0].kind == LineKind.MONTH],
            "correction_rows": [row for row in rows if row[0].is_correction],
            "carried_rows": [row for row in rows if row[0].is_carried],
            "total": money(statement.total_minor),
            "owed_back": money(-statement.total_minor),
            "carried_to": carried_to,
            "credited": money(statement.credited_minor),
        },
    )
