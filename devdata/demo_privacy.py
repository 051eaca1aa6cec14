"""Demo data for privacy: the demo fan's data export, ready to download from their data page,
and one account closed a while ago (a fan who bought coins with a card), so staff find a
closed account and the payment records kept for the law in admin."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings

from accounts.models import Role, User
from gifts import services as gifts_services
from gifts.models import CoinPack
from payments import services as payments_services
from payments.gateway import CardDetails
from privacy import closing, exports
from privacy.models import ClosedAccount, ExportState

LEAVING_FAN = "gone.fan@example.com"


@dataclass(frozen=True)
class DemoPrivacy:
    exported: bool
    closed: bool


def seed_privacy(*, fan: User, password: str) -> DemoPrivacy:
    """The fan's export (built here, in this process) unless one is ready; a closed fan
    account unless there is one. Safe to run again: it adds nothing the second time."""
    exported = False
    if not fan.data_exports.filter(state=ExportState.READY).exists():
        exports.build(exports.request_export(user=fan).pk)
        exported = True
    closed = False
    if not ClosedAccount.objects.exists():
        leaving = User.objects.create_user(
            email=LEAVING_FAN, password=password, role=Role.FAN, name="Gone Fan"
        )
        EmailAddress.objects.create(user=leaving, email=LEAVING_FAN, verified=True, primary=True)
        pack = CoinPack.objects.order_by("price_minor").first()
        if pack is not None and settings.PAYMENTS_GATEWAY == "sandbox":
            card = payments_services.save_card(
                user=leaving,
                card=CardDetails(number="4242424242424242", exp_month=12, exp_year=2031, cvc="123"),
            )
            gifts_services.buy_coin_pack(fan=leaving, pack=pack, card=card, request_key="demo-gone")
        closing.close_account(user=leaving)
        closed = True
    return DemoPrivacy(exported, closed)
