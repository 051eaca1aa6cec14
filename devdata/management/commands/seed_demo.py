"""Demo data for a local portal: one account per role plus a few creators to discover.

Idempotent: a second run finds everything in place, changes nothing and says so.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from academy import insights as academy_insights
from accounts import services as accounts_services
from accounts.models import CreatorProfile, Industry, Niche, Role, Standing, User
from activity.models import Video
from core.clock import rewards_today
from core.money import format_minor
from core.plurals import plural
from devdata import (
    demo_academy,
    demo_activity,
    demo_fraud,
    demo_gifts,
    demo_marketplace,
    demo_privacy,
    demo_reports,
    demo_store,
    demo_subscriptions,
)
from payments import payouts
from payments import services as payments_services
from payments.gateway import CardDetails
from payments.models import AccountKind
from rewards import program, recalculation

DEMO_PASSWORD = "portal-demo-2026"


@dataclass(frozen=True)
class DemoCreator:
    email: str
    handle: str
    display_name: str
    born: date
    country: str
    niches: tuple[str, ...]
    followers: int
    standing: Standing = Standing.GOOD


DEMO_CREATOR = DemoCreator(
    "creator@example.com",
    "mayamakes",
    "Maya Makes",
    date(1998, 4, 12),
    "GB",
    ("cooking", "diy-crafts"),
    18_400,
)
OTHER_CREATORS = [
    DemoCreator(
        "leo@example.com",
        "leo.dances",
        "Leo Dances",
        date(2001, 9, 3),
        "BR",
        ("dance", "music"),
        412_000,
    ),
    DemoCreator(
        "aiko@example.com",
        "aikocodes",
        "Aiko Codes",
        date(1995, 1, 22),
        "JP",
        ("science-tech", "education"),
        96_300,
    ),
    DemoCreator(
        "sam@example.com",
        "samfitlife",
        "Sam Fit",
        date(1992, 6, 30),
        "US",
        ("fitness", "sports"),
        57_900,
    ),
    DemoCreator(
        "nora@example.com",
        "nora_travels",
        "Nora Travels",
        date(1990, 11, 11),
        "NO",
        ("travel",),
        33_100,
    ),
    DemoCreator(
        "kofi@example.com",
        "kofikicks",
        "Kofi Kicks",
        date(2003, 2, 14),
        "GH",
        ("sports", "comedy"),
        12_750,
    ),
    DemoCreator(
        "ines@example.com",
        "ines.paints",
        "Inês Paints",
        date(1999, 7, 8),
        "PT",
        ("diy-crafts",),
        8_200,
    ),
    DemoCreator(
        "raj@example.com", "rajcooks", "Raj Cooks", date(1987, 3, 19), "IN", ("cooking",), 150_400
    ),
    DemoCreator(
        "mila@example.com",
        "milameows",
        "Mila & the Cats",
        date(2000, 12, 1),
        "PL",
        ("pets", "comedy"),
        71_000,
    ),
    DemoCreator(
        "theo@example.com",
        "theo.plays",
        "Theo Plays",
        date(2005, 5, 5),
        "DE",
        ("gaming",),
        4_900,
        Standing.WARNED,
    ),
    DemoCreator(
        "zed@example.com",
        "zedfollows",
        "Zed",
        date(1997, 8, 25),
        "US",
        ("comedy",),
        220_000,
        Standing.SUSPENDED,
    ),
]


DEMO_LOGINS = [
    ("creator", DEMO_CREATOR.email),
    ("fan", "fan@example.com"),
    ("brand", "brand@example.com"),
    ("staff", "staff@example.com"),
]


class Command(BaseCommand):
    help = "Create demo accounts (one per role) and demo creators. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--creators",
            type=int,
            default=demo_activity.EXTRA_CREATORS,
            help="how many extra creators get three months of activity",
        )

    def handle(self, *args: object, creators: int, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run with DEBUG=0: demo accounts share one known password."
            )
        with transaction.atomic():
            created = self._seed()
        demo_creator = CreatorProfile.objects.get(handle=DEMO_CREATOR.handle)
        seeded_rows = 0
        if not Video.objects.filter(creator=demo_creator).exists():
            self.stdout.write(f"Writing three months of activity for {creators + 1} creators…")
            seeded_rows = demo_activity.seed_activity(
                today=rewards_today(),
                demo_creator=demo_creator,
                approver=User.objects.get(email="staff@example.com"),
                extra=creators,
            )
        items = demo_store.seed_store(
            demo_creator=demo_creator, staff=User.objects.get(email="staff@example.com")
        )
        if items:
            self.stdout.write(f"Stocked the points store with {items} items and demo redemptions.")
        if paid_out := self._seed_payouts(demo_creator):
            self.stdout.write("Gave the demo creator a payout method and one paid payout.")
        if program_total := self._seed_program(demo_creator):
            self.stdout.write(f"Paid last month's Creator Rewards Program ({program_total}).")
        if subscribers := demo_subscriptions.seed_subscriptions(
            creator=demo_creator,
            staff=User.objects.get(email="staff@example.com"),
            password=DEMO_PASSWORD,
        ):
            self.stdout.write(
                f"Gave the demo creator three packages, posts, emojis, a chat and "
                f"{subscribers} subscribers (the demo fan among them)."
            )
        support = demo_gifts.seed_gifts(creator=demo_creator, password=DEMO_PASSWORD)
        if support.made:
            fans = (
                " with fans' gifts, tips, a hidden message, a blocked fan and a refunded coin pack"
                if settings.PAYMENTS_GATEWAY == "sandbox"  # the fans pay with its test cards
                else ""
            )
            self.stdout.write(
                f"Opened fan support: coin packs, a catalog of {len(demo_gifts.CATALOG)} gifts, "
                f"and the demo creator live now{fans}."
            )
        elif support.back_on_air:
            self.stdout.write("Put the demo creator's live session back on air.")
        if courses := demo_academy.seed_courses():
            self.stdout.write(f"Wrote {plural(courses, 'Academy course')} with their videos.")
        # What the nightly job computes: the peer figures the Academy's insight cards compare
        # each creator with.
        academy_insights.refresh_peer_bands(rewards_today() - timedelta(days=1))
        leo = CreatorProfile.objects.get(handle="leo.dances")
        if not leo.enrolments.exists():
            # A creator the Marketplace will show as Brand-ready (the badge on /@leo.dances/).
            demo_academy.complete_course(
                creator=leo, slug="working-with-brands", at=timezone.now() - timedelta(days=20)
            )
        if completed_on := demo_academy.seed_learning(creator=demo_creator):
            # The finished course's points, as the nightly run would have posted them.
            recalculation.recalculate_day_in_process(
                day=completed_on, approved_by=User.objects.get(email="staff@example.com")
            )
            self.stdout.write(
                "The demo creator finished one course (certificate, points), is halfway "
                "through another and has just started a third."
            )
        market = demo_marketplace.seed_marketplace(
            creator=demo_creator, brand=User.objects.get(email="brand@example.com").brand
        )
        if market.listed:
            self.stdout.write(
                f"Listed {plural(market.listed, 'creator')} in the Marketplace and computed "
                "their match features."
            )
        if market.active:
            self.stdout.write(
                f"Gave {plural(market.active, 'named creator')} a month of recent activity, "
                "through ingestion."
            )
        if market.deals:
            paid = (
                ", a delivery to approve and a paid collaboration with its messages"
                if settings.PAYMENTS_GATEWAY == "sandbox"  # the brand pays with its test card
                else ""
            )
            self.stdout.write(
                "Gave Glow Cosmetics a shortlist, open and draft campaigns, an invitation "
                "waiting for the demo creator and an application and a counter-offer waiting "
                f"for the brand{paid}."
            )
        fraud = demo_fraud.seed_fraud(
            creator=demo_creator,
            staff=User.objects.get(email="staff@example.com"),
            today=rewards_today(),
        )
        if fraud.flags:
            self.stdout.write(
                f"Flagged bot-marked views on {plural(fraud.flags, 'recent day')} of the demo "
                "creator's, with an appeal waiting for staff and one answered."
            )
        history = demo_reports.seed_impact_history(
            today=rewards_today(), brand=User.objects.get(email="brand@example.com").brand
        )
        if history.creators:
            self.stdout.write(
                f"Enrolled {plural(history.creators, 'creator')} in the loyalty program months "
                "ago, with their history before it, for the program impact report."
            )
        privacy = demo_privacy.seed_privacy(
            fan=User.objects.get(email="fan@example.com"), password=DEMO_PASSWORD
        )
        if privacy.exported or privacy.closed:
            self.stdout.write(
                "Built the demo fan's data export (on their data page) and closed one fan's "
                "account, its payment records kept for the law (privacy admin)."
            )
        if created or seeded_rows or items or paid_out:
            more = f", {creators} more creators with" if seeded_rows else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {plural(created, 'demo account')}{more} {seeded_rows:,} "
                    "video-days of activity, and points recalculated for every day."
                    if seeded_rows
                    else f"Created {plural(created, 'demo account')}."
                )
            )
        elif not market.made:
            self.stdout.write("Demo data already present; nothing changed.")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for role, email in DEMO_LOGINS:
            self.stdout.write(f"  {role:<8} {email}")
        self.stdout.write(
            "  more fans: ana.fan@, ben.fan@ and cleo.fan@example.com (a trial, a yearly plan, "
            "a failing card); dev.fan@ (blocked) and eli.fan@example.com (top supporter)"
        )

    def _seed(self) -> int:
        """Create whatever demo data is missing; return how many accounts were made."""
        created = 0
        for spec in [DEMO_CREATOR, *OTHER_CREATORS]:
            user = self._new_user(Role.CREATOR, spec.email)
            if user is None:
                continue
            created += 1
            creator = accounts_services.create_creator_profile(
                user=user,
                handle=spec.handle,
                display_name=spec.display_name,
                date_of_birth=spec.born,
                country=spec.country,
                niches=Niche.objects.filter(slug__in=spec.niches),
            )
            creator.followers = spec.followers
            creator.save(update_fields=["followers"])
            if spec.standing != Standing.GOOD:
                accounts_services.set_standing(
                    creator=creator,
                    standing=spec.standing,
                    reason="Demo: unoriginal content reported",
                )
        if fan := self._new_user(Role.FAN, "fan@example.com"):
            created += 1
            if settings.PAYMENTS_GATEWAY == "sandbox":  # a real gateway takes no typed numbers
                payments_services.save_card(
                    user=fan,
                    card=CardDetails(
                        number="4242424242424242",
                        exp_month=12,
                        exp_year=timezone.now().year + 3,
                        cvc="123",
                    ),
                )
        if brand := self._new_user(Role.BRAND, "brand@example.com"):
            created += 1
            accounts_services.create_brand_profile(
                user=brand,
                company_name="Glow Cosmetics",
                website="https://glow.example.com",
                industry=Industry.BEAUTY,
            )
        if staff := self._new_user(Role.STAFF, "staff@example.com"):
            created += 1
            staff.is_staff = staff.is_superuser = True
            staff.save(update_fields=["is_staff", "is_superuser"])
        return created

    def _seed_program(self, creator: CreatorProfile) -> str:
        """Pay last month's Creator Rewards Program (every eligible demo creator; the demo
        creator's three growing months make them eligible), so the program statement and the
        earnings page show program money. Returns the demo creator's total, or "" if paid."""
        month = program.previous_month(rewards_today().replace(day=1))
        if creator.program_statements.filter(month=month).exists():
            return ""
        program.pay_month(month=month)
        statement = creator.program_statements.filter(month=month).first()
        return format_minor(statement.total_minor, statement.currency) if statement else ""

    def _seed_payouts(self, creator: CreatorProfile) -> bool:
        """A payout method added long enough ago to be past its lock, and 10.00 GBP paid out
        of the 25.00 GBP the store's cash put in (yesterday, so today's request is free)."""
        if creator.payout_methods.exists():
            return False
        now = timezone.now()
        payouts.set_payout_method(
            creator=creator,
            kind=AccountKind.UK,
            holder_name="Mia Stone",
            account_number="31926819",
            bank_code="601613",
            now=now - timedelta(days=20),
        )
        payout = payouts.request_payout(
            creator=creator,
            amount=1_000,
            currency="GBP",
            request_key="0" * 16,
            now=now - timedelta(days=1),
        )
        payouts.approve_payout(
            payout_id=payout.pk,
            by=User.objects.get(email="staff@example.com"),
            note="Sent with this week's payouts.",
        )
        return True

    def _new_user(self, role: Role, email: str) -> User | None:
        """Create a verified account, or return None when it already exists."""
        if User.objects.filter(email=email).exists():
            return None
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, role=role)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user
