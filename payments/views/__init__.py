"""The payments pages, a module per topic: saved cards, the earnings statement, payouts."""
