"""The earnings statement: every source by month for a tax year, available and pending, the
CSV export, and who may see it."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import CreatorFactory
from core.charts import stacked_bar_chart
from payments import ledger, statement
from payments.models import Source

pytestmark = pytest.mark.django_db
URL = reverse("payments:statement")
CSV_URL = reverse("payments:statement_csv")


@pytest.fixture
def year_of_earnings(creator: object) -> object:
    """Known money across months and sources (and one line of last year)."""
    moments = {
        "jan": dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC),
        "mar": dt.datetime(2026, 3, 3, 12, tzinfo=dt.UTC),
        "mar2": dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC),
        "last_year": dt.datetime(2025, 12, 31, 12, tzinfo=dt.UTC),
    }
    for key, amount, source in [
        ("jan", 2_500, Source.CASH_REDEMPTION),
        ("mar", 10_000, Source.MILESTONE_BONUS),
        ("mar2", 1_200, Source.CASH_REDEMPTION),
        ("last_year", 999, Source.CASH_REDEMPTION),
    ]:
        ledger.credit(
            creator=creator,
            amount=amount,
            currency="GBP",
            source=source,
            idempotency_key=f"fixture:{key}",
            memo=f"{key} money",
            document=f"store.redemption:{key}",
            now=moments[key],
        )
    ledger.credit(
        creator=creator,
        amount=5_000,
        currency="GBP",
        source=Source.BRAND_DEAL,
        idempotency_key="fixture:pending",
        pending_until=dt.date(2099, 1, 1),
    )
    return creator


def test_the_statement_sums_each_source_by_month_for_the_tax_year(year_of_earnings: object) -> None:
    sheet = statement.statement(year_of_earnings, year=2026)
    assert sheet.currency == "GBP"
    assert [code for code, _ in sheet.sources] == [
        Source.CASH_REDEMPTION,
        Source.MILESTONE_BONUS,
        Source.BRAND_DEAL,
    ]
    by_month = {m.start.month: m.by_source for m in sheet.months}
    assert by_month[1] == {Source.CASH_REDEMPTION: 2_500}
    assert by_month[2] == {}
    assert by_month[3] == {Source.CASH_REDEMPTION: 1_200, Source.MILESTONE_BONUS: 10_000}
    # Last year's December is not this year's; the pending deal landed this month.
    assert sheet.totals == {
        Source.CASH_REDEMPTION: 3_700,
        Source.MILESTONE_BONUS: 10_000,
        Source.BRAND_DEAL: 5_000,
    }
    assert (sheet.balance.available, sheet.balance.pending) == (2_500 + 10_000 + 1_200 + 999, 5_000)
    assert sheet.month_rows[-1] == [
        "Total, 2026",
        "37.00 GBP",
        "100.00 GBP",
        "50.00 GBP",
        "187.00 GBP",
    ]
    # The chart draws money in, in whole pounds, stacked by source.
    march = sheet.chart.bars[2]
    assert [(part.name, part.value) for part in march.segments] == [
        ("Cash redeemed from points", 12),
        ("Milestone bonus", 100),
    ]


@pytest.mark.parametrize(
    ("start", "year", "first", "last"),
    [
        ("01-01", 2026, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("04-06", 2025, dt.date(2025, 4, 6), dt.date(2026, 4, 5)),
    ],
)
def test_a_tax_year_runs_from_its_start_day(
    settings: object, start: str, year: int, first: dt.date, last: dt.date
) -> None:
    settings.EARNINGS_TAX_YEAR_START = start
    assert statement.tax_year(year) == (first, last)
    assert statement.tax_year_of(first) == year and statement.tax_year_of(last) == year


def test_the_page_shows_balances_months_and_lines(
    creator_client: Client, year_of_earnings: object
) -> None:
    html = creator_client.get(URL, {"year": 2026}).content.decode()
    assert "Earnings, 2026" in html
    assert "146.99 GBP" in html  # available: all but the pending deal, last year included
    assert "50.00 GBP" in html and "Pending until 1 Jan 2099" in html
    assert "187.00 GBP" in html  # earned this tax year, every source
    assert "Milestone bonus" in html and "mar money" in html
    assert "last_year money" not in html  # December 2025 is last tax year's


def test_the_csv_has_every_line_of_the_year(
    creator_client: Client, year_of_earnings: object
) -> None:
    response = creator_client.get(CSV_URL, {"year": 2026, "currency": "GBP"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "earnings-2026-gbp.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == statement.CSV_HEADER
    assert [(r[0], r[1], r[2]) for r in rows[1:4]] == [
        ("2026-01-15", "Cash redeemed from points", "25.00"),
        ("2026-03-03", "Milestone bonus", "100.00"),
        ("2026-03-20", "Cash redeemed from points", "12.00"),
    ]
    assert len(rows) == 1 + 4  # and the pending brand deal


@pytest.mark.parametrize(
    "query",
    [
        {"year": "soon"},
        {"year": "1999"},
        {"year": "9999"},
        {"currency": "POUNDS"},
        {"currency": "€"},
    ],
)
def test_bad_years_and_currencies_are_a_400_with_words(
    creator_client: Client, creator: object, query: dict
) -> None:
    for url in (URL, CSV_URL):
        response = creator_client.get(url, query)
        assert response.status_code == 400
        assert b"year" in response.content or b"currency" in response.content


def test_a_creator_sees_only_their_own_earnings(
    creator_client: Client, creator: object, year_of_earnings: object
) -> None:
    other = CreatorFactory()
    ledger.credit(
        creator=other,
        amount=77_700,
        currency="GBP",
        source=Source.TIP,
        idempotency_key="other",
        memo="someone else's tip",
    )
    html = creator_client.get(URL).content.decode()
    csv_text = b"".join(creator_client.get(CSV_URL).streaming_content).decode()
    for text in (html, csv_text):
        assert "someone else's tip" not in text and "777.00" not in text


@pytest.mark.parametrize("role", ["fan_client", "brand_client"])
def test_fans_and_brands_never_see_a_creators_earnings(
    request: pytest.FixtureRequest, role: str, year_of_earnings: object
) -> None:
    client = request.getfixturevalue(role)
    for url in (URL, CSV_URL):
        assert client.get(url).status_code == 403


def test_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_runs_a_bounded_number_of_queries(
    creator_client: Client, year_of_earnings: object, django_assert_max_num_queries: object
) -> None:
    # Session and user, the creator, then the statement's four reads, whatever the entries.
    with django_assert_max_num_queries(9):
        creator_client.get(URL)


def test_a_stacked_chart_with_nothing_in_it_is_empty() -> None:
    chart = stacked_bar_chart("Nothing", ["Jan", "Feb"], [("Tips", [0, 0])])
    assert chart.is_empty and chart.series == ("Tips",)


def test_the_page_is_cached_until_the_ledger_moves(
    creator_client: Client, creator: object, django_assert_max_num_queries: object
) -> None:
    ledger.credit(
        creator=creator,
        amount=1_000,
        currency="USD",
        source=Source.TIP,
        idempotency_key="first",
    )
    assert "10.00 USD" in creator_client.get(URL).content.decode()
    # Cached: the session, the user and the ledger's version only.
    with django_assert_max_num_queries(3):
        assert creator_client.get(URL).status_code == 200
    ledger.credit(
        creator=creator,
        amount=2_500,
        currency="USD",
        source=Source.TIP,
        idempotency_key="second",
    )
    assert "35.00 USD" in creator_client.get(URL).content.decode()
