"""The creator's earnings statement: a page and its CSV export."""

import csv

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from accounts.access import creator_required
from core.clock import rewards_today
from core.http import bad_request
from core.regions import REGION_SECONDS, region_key

from .. import ledger
from .. import statement as statements


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def _year_and_currency(request: HttpRequest) -> tuple[int, str]:
    raw_year = request.GET.get("year", "")
    try:
        year = int(raw_year) if raw_year else statements.tax_year_of(rewards_today())
    except ValueError as error:
        raise statements.StatementError(f"{raw_year[:20]!r} is not a year.") from error
    currency = request.GET.get("currency", "").strip().upper()
    if currency and (len(currency) != 3 or not currency.isalpha() or not currency.isascii()):
        raise statements.StatementError(f"{currency[:20]!r} is not a currency code.")
    statements.tax_year(year)  # in range, or a StatementError
    return year, currency


@creator_required
@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    """Every source of earnings, by month, for a tax year, with available and pending."""
    try:
        year, currency = _year_and_currency(request)
    except statements.StatementError as error:
        return bad_request(request, str(error))
    creator = request.user.creator
    today = rewards_today()
    this_year = statements.tax_year_of(today)
    return render(
        request,
        "payments/statement.html",
        {
            # Read only when the cached page is missing or out of date: any movement in the
            # creator's ledger (a credit, a payout, the daily release) changes the version.
            "sheet": SimpleLazyObject(
                lambda: statements.statement(creator, year=year, currency=currency)
            ),
            "years": list(range(this_year, this_year - 5, -1)),
            "page_entries": statements.PAGE_ENTRIES,
            "cache_key": region_key(
                creator.pk, ledger.version(creator), year, currency or "-", today
            ),
            "region_seconds": REGION_SECONDS,
        },
    )


@creator_required
@require_GET
def statement_csv(request: HttpRequest) -> HttpResponse:
    """The tax year's entries as CSV, every one, streamed."""
    try:
        year, currency = _year_and_currency(request)
    except statements.StatementError as error:
        return bad_request(request, str(error))
    currency = currency or next(iter(statements.currencies_of(request.user.creator)), "USD")
    writer = csv.writer(_Echo())
    rows = statements.csv_rows(request.user.creator, year=year, currency=currency)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="earnings-{year}-{currency.lower()}.csv"'
    )
    return response
