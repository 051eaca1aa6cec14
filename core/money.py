"""Money as the portal shows it: integer minor units and an ISO 4217 code, never floats."""

# Currencies whose minor unit is not a hundredth (ISO 4217); every other has two decimals.
DECIMALS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3}


def format_minor(amount: int, currency: str) -> str:
    """`2500, "GBP"` -> "25.00 GBP"; `-150, "USD"` -> "-1.50 USD"; `1200, "JPY"` -> "1,200 JPY"."""
    decimals = DECIMALS.get(currency, 2)
    sign = "-" if amount < 0 else ""
    major, minor = divmod(abs(amount), 10**decimals)
    text = f"{major:,}" + (f".{minor:0{decimals}d}" if decimals else "")
    return f"{sign}{text} {currency}"
