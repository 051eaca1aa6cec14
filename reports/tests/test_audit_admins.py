"""The audit trail (accounts.audit) in every app's admin, checked from the top floor, which may
import them all: earning rules, program rates with their country rates, limits, tiers, store
items, eligibility rules and invitations, redemption and payout decisions, deletions; the
per-object history in admin; and the creator reading their own entries on their points
history. Accounts' own admins are checked in accounts/tests/test_audit.py."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db.models.fields.files import FieldFile
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, CreatorProfile, User
from accounts.tests.factories import CreatorFactory, StaffFactory
from core.clock import rewards_today
from payments.tests.test_payouts_views import request_one, set_up
from rewards.models import EarningRule, EntryKind, Metric, ProgramRates, RecalcLimits, Tier
from rewards.services import post_entry
from store import services as store_services
from store.models import Redemption, StoreItem
from store.tests.factories import PromotionFactory, ToolFactory
from subscriptions.models import Invitation, Rules
from subscriptions.selectors import rules

pytestmark = pytest.mark.django_db
REASON = "Agreed at the Monday programme review"


def admin_url(model: type, page: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def entries_about(obj: object) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_object(obj))


def form_as_shown(client: Client, url: str) -> dict[str, object]:
    """What the admin change form would post back untouched (files and unticked boxes left
    out, as a browser does)."""
    form = client.get(url).context["adminform"].form
    data: dict[str, object] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or isinstance(value, FieldFile) or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


def rule_data(valid_from: str, **changes: object) -> dict[str, object]:
    return {
        "metric": Metric.LIKES,
        "valid_from": valid_from,
        "is_active": "on",
        "unit_size": "100",
        "points_per_unit": "2",
        "daily_cap": "",
        "taper_above": "",
        "taper_percent": "100",
        **changes,
    }


@pytest.fixture
def next_week() -> str:
    return (rewards_today() + timedelta(days=7)).isoformat()


# Change forms --------------------------------------------------------------------------------


def test_adding_and_changing_an_earning_rule_records_before_after_who_and_why(
    staff: User, staff_client: Client, next_week: str
) -> None:
    response = staff_client.post(
        admin_url(EarningRule, "add"), rule_data(next_week, audit_reason=REASON)
    )
    assert response.status_code == 302
    rule = EarningRule.objects.get(valid_from=next_week, metric=Metric.LIKES)
    [added] = entries_about(rule)
    assert (added.action, added.actor, added.reason) == ("added", staff, REASON)
    assert added.changes["points_per_unit"] == [None, 2]
    assert added.creator is None and not added.shown_to_creator

    response = staff_client.post(
        admin_url(EarningRule, "change", rule.pk),
        rule_data(next_week, points_per_unit="3", daily_cap="40", audit_reason="Too generous"),
    )

    assert response.status_code == 302
    changed = entries_about(rule)[0]
    assert changed.action == "changed" and changed.reason == "Too generous"
    # Only what changed, each as [before, after].
    assert changed.changes == {"points_per_unit": [2, 3], "daily_cap": [None, 40]}
    assert ("points per unit", "2", "3") in changed.change_rows()


def test_a_change_without_a_reason_is_refused_and_nothing_is_saved(
    staff_client: Client, next_week: str
) -> None:
    rule = EarningRule.objects.create(
        metric=Metric.SHARES, valid_from=next_week, unit_size=1, points_per_unit=1
    )
    response = staff_client.post(
        admin_url(EarningRule, "change", rule.pk),
        rule_data(next_week, metric=Metric.SHARES, points_per_unit="9", audit_reason="  "),
    )

    assert response.status_code == 200  # the form again, with the error
    assert "Say why: the reason is kept in the audit trail" in response.content.decode()
    rule.refresh_from_db()
    assert rule.points_per_unit == 1
    assert not AuditEntry.objects.exists()


def test_the_change_form_asks_for_the_reason_only_where_staff_may_edit(
    staff_client: Client,
) -> None:
    history = EarningRule.objects.filter(valid_from__lte=rewards_today()).first()
    assert history is not None  # the default rules, in force since the migration
    html = staff_client.get(admin_url(EarningRule, "change", history.pk)).content.decode()
    assert 'name="audit_reason"' not in html  # a version in force is read only
    html = staff_client.get(admin_url(EarningRule, "add")).content.decode()
    assert 'name="audit_reason"' in html and "Reason for this change" in html


def test_program_rates_record_their_country_rates_in_the_versions_entry(
    staff_client: Client,
) -> None:
    today = rewards_today()
    first = (today.replace(day=1) + timedelta(days=62)).replace(day=1).isoformat()
    management = {
        "bands-TOTAL_FORMS": "0",
        "bands-INITIAL_FORMS": "0",
        "countries-MIN_NUM_FORMS": "0",
        "countries-MAX_NUM_FORMS": "1000",
    }
    data = {"valid_from": first, "currency": "USD", "default_rate_minor": "50", **management}
    staff_client.post(
        admin_url(ProgramRates, "add"),
        {
            **data,
            "countries-TOTAL_FORMS": "1",
            "countries-INITIAL_FORMS": "0",
            "countries-0-country": "GB",
            "countries-0-rate_minor": "70",
            "audit_reason": "UK launch",
        },
    )
    rates = ProgramRates.objects.get(valid_from=first)
    gb = rates.countries.get()
    [added] = entries_about(rates)
    assert added.changes["country rate “GB: 70”"] == [None, {"country": "GB", "rate_minor": 70}]

    response = staff_client.post(
        admin_url(ProgramRates, "change", rates.pk),
        {
            **data,
            "default_rate_minor": "55",
            "countries-TOTAL_FORMS": "1",
            "countries-INITIAL_FORMS": "1",
            "countries-0-id": gb.pk,
            "countries-0-rates": rates.pk,
            "countries-0-country": "GB",
            "countries-0-rate_minor": "80",
            "audit_reason": "UK advertisers pay more",
        },
    )

    assert response.status_code == 302
    changed = entries_about(rates)[0]
    assert changed.changes == {
        "default_rate_minor": [50, 55],
        "country rate “GB: 80” · rate": [70, 80],
    }


def test_limits_and_tiers_are_recorded(staff_client: Client) -> None:
    limits = RecalcLimits.current()
    staff_client.post(
        admin_url(RecalcLimits, "change", limits.pk),
        {
            "max_creator_change": "6000",
            "max_total_change_percent": str(limits.max_total_change_percent),
            "min_total_for_percent": str(limits.min_total_for_percent),
            "audit_reason": "Holiday campaign",
        },
    )
    assert entries_about(limits)[0].changes == {
        "max_creator_change": [limits.max_creator_change, 6000]
    }

    gold = Tier.objects.get(name="Gold")
    staff_client.post(
        admin_url(Tier, "change", gold.pk),
        {
            "name": "Gold",
            "min_points_90d": str(gold.min_points_90d),
            "perks": gold.perks,
            "store_discount_percent": "15",
            "audit_reason": "Matched the competition",
        },
    )
    [entry] = entries_about(gold)
    assert entry.changes == {"store_discount_percent": [gold.store_discount_percent, 15]}


def test_a_store_item_change_and_switching_it_off_are_recorded(staff_client: Client) -> None:
    item = ToolFactory(name="Grading", slug="grading", price_points=100)
    url = admin_url(StoreItem, "change", item.pk)
    data = form_as_shown(staff_client, url)
    data.update(price_points="120", audit_reason="Supplier raised the price")
    response = staff_client.post(url, data)
    assert response.status_code == 302
    assert entries_about(item)[0].changes == {"price_points": [100, 120]}

    changelist = admin_url(StoreItem, "changelist")
    chosen = {"action": "switch_off", "_selected_action": [item.pk], "apply": "1"}
    staff_client.post(changelist, {**chosen, "reason": ""})
    item.refresh_from_db()
    assert item.is_active  # no reason, no change
    staff_client.post(changelist, {**chosen, "reason": "Licence lapsed"})

    item.refresh_from_db()
    assert not item.is_active
    switched = entries_about(item)[0]
    assert (switched.action, switched.reason) == ("taken out of the store", "Licence lapsed")
    assert switched.changes == {"is_active": [True, False]}


def test_eligibility_rules_and_invitations_are_recorded(staff: User, staff_client: Client) -> None:
    current = rules()
    url = admin_url(Rules, "change", 1)
    data = form_as_shown(staff_client, url)
    data.update(min_followers="2500", audit_reason="Open it up")
    staff_client.post(url, data)
    entry = entries_about(Rules.objects.get())[0]
    assert entry.reason == "Open it up"
    assert entry.changes["min_followers"] == [current.min_followers, 2500]
    assert "invite_only" not in entry.changes  # left as it was

    creator = CreatorFactory()
    staff_client.post(
        admin_url(Invitation, "add"),
        {"creator": creator.pk, "note": "Hi", "audit_reason": "Launch cohort"},
    )
    [invited] = entries_about(Invitation.objects.get(creator=creator))
    assert invited.creator == creator and invited.reason == "Launch cohort"
    assert invited.changes["invited_by"] == [None, staff.email]


# Actions that move a creator's points or money ----------------------------------------------


def pending_redemption(creator: CreatorProfile) -> Redemption:
    post_entry(
        creator=creator, amount=1_000, kind=EntryKind.ADJUSTED, idempotency_key=f"a{creator.pk}"
    )
    redemption, _ = store_services.redeem_item(
        creator=creator, item_id=PromotionFactory(price_points=300).pk, request_key="k" * 20
    )
    return redemption


def test_cancelling_a_redemption_is_recorded_for_the_creator(
    staff: User, staff_client: Client
) -> None:
    creator = CreatorFactory()
    redemption = pending_redemption(creator)

    staff_client.post(
        admin_url(Redemption, "changelist"),
        {
            "action": "cancel",
            "_selected_action": [redemption.pk],
            "apply": "1",
            "reason": "The campaign was called off",
        },
    )

    [entry] = entries_about(redemption)
    assert entry.actor == staff and entry.creator == creator and entry.shown_to_creator
    assert entry.action == "cancelled and refunded"
    assert entry.reason == "The campaign was called off"
    assert entry.changes["state"] == ["pending", "cancelled"]
    assert entry.changes["refund_entry"][0] is None and entry.changes["refund_entry"][1]


def test_a_refused_decision_leaves_no_entry(staff_client: Client) -> None:
    creator = CreatorFactory()
    redemption = pending_redemption(creator)
    store_services.fulfil_redemption(redemption_id=redemption.pk, by=StaffFactory())

    staff_client.post(
        admin_url(Redemption, "changelist"),
        {"action": "cancel", "_selected_action": [redemption.pk], "apply": "1", "reason": "No"},
    )

    assert not AuditEntry.objects.exists()


def test_rejecting_a_payout_is_recorded_for_the_creator(staff_client: Client) -> None:
    creator = CreatorFactory()
    set_up(creator)
    payout = request_one(creator)

    staff_client.post(
        reverse("admin:payments_payoutrequest_changelist"),
        {
            "action": "reject",
            "_selected_action": [payout.pk],
            "apply": "1",
            "reason": "The account holder's name does not match",
        },
    )

    [entry] = entries_about(payout)
    assert entry.creator == creator and entry.shown_to_creator
    assert entry.action == "rejected and refunded"
    assert entry.changes["state"] == ["requested", "rejected"]


# Deleting -------------------------------------------------------------------------------------


def test_deleting_needs_a_reason_and_records_what_was_deleted(
    staff_client: Client, next_week: str
) -> None:
    rule = EarningRule.objects.create(
        metric=Metric.COMMENTS, valid_from=next_week, unit_size=1, points_per_unit=4
    )
    url = admin_url(EarningRule, "delete", rule.pk)

    refused = staff_client.post(url, {"post": "yes"})

    assert refused.status_code == 400
    assert (
        "Say why" in refused.content.decode() and 'name="audit_reason"' in refused.content.decode()
    )
    assert EarningRule.objects.filter(pk=rule.pk).exists()

    response = staff_client.post(url, {"post": "yes", "audit_reason": "Duplicate of the draft"})

    assert response.status_code == 302
    assert not EarningRule.objects.filter(pk=rule.pk).exists()
    [entry] = AuditEntry.objects.filter(model="earningrule", object_id=str(rule.pk))
    assert entry.action == "deleted" and entry.reason == "Duplicate of the draft"
    assert entry.changes["points_per_unit"] == [4, None]


def test_bulk_deleting_needs_a_reason_and_records_each(
    staff_client: Client, next_week: str
) -> None:
    rules_ = [
        EarningRule.objects.create(
            metric=metric, valid_from=next_week, unit_size=1, points_per_unit=1
        )
        for metric in (Metric.COMMENTS, Metric.SHARES)
    ]
    chosen = {
        "action": "delete_selected",
        "_selected_action": [r.pk for r in rules_],
        "post": "yes",
    }
    changelist = admin_url(EarningRule, "changelist")

    refused = staff_client.post(changelist, chosen)

    assert refused.status_code == 400 and 'name="audit_reason"' in refused.content.decode()
    assert EarningRule.objects.filter(pk__in=[r.pk for r in rules_]).count() == 2

    staff_client.post(changelist, {**chosen, "audit_reason": "Drafts abandoned"})

    assert not EarningRule.objects.filter(pk__in=[r.pk for r in rules_]).exists()
    deleted = AuditEntry.objects.filter(action="deleted", reason="Drafts abandoned")
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(str(r.pk) for r in rules_)


# Reading the trail -------------------------------------------------------------------------


def staff_with(*codenames: str) -> Client:
    user = StaffFactory(is_superuser=False)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def test_an_objects_admin_history_lists_its_entries_to_those_who_may_read_them(
    staff_client: Client, next_week: str
) -> None:
    staff_client.post(admin_url(EarningRule, "add"), rule_data(next_week, audit_reason=REASON))
    rule = EarningRule.objects.get(valid_from=next_week, metric=Metric.LIKES)
    history = admin_url(EarningRule, "history", rule.pk)

    html = staff_client.get(history).content.decode()

    assert "Audit trail" in html and REASON in html
    assert "points per unit" in html and f'data-audit-entry="{entries_about(rule)[0].pk}"' in html

    reader = staff_with("view_earningrule", "view_audit_trail")
    assert REASON in reader.get(history).content.decode()
    others = staff_with("view_earningrule")
    html = others.get(history).content.decode()
    assert REASON not in html and "Can read the audit trail" in html


def test_a_creator_reads_only_their_own_staff_changes_with_the_reasons(
    staff: User, staff_client: Client, creator: CreatorProfile, creator_client: Client
) -> None:
    mine = pending_redemption(creator)
    other = CreatorFactory()
    theirs = pending_redemption(other)
    for redemption, reason in ((mine, "Your slot was double-booked"), (theirs, "Not for you")):
        staff_client.post(
            admin_url(Redemption, "changelist"),
            {
                "action": "cancel",
                "_selected_action": [redemption.pk],
                "apply": "1",
                "reason": reason,
            },
        )
    # A change about them that is not about their points or money stays staff-only.
    staff_client.post(
        admin_url(Invitation, "add"),
        {"creator": creator.pk, "note": "", "audit_reason": "Internal note about the cohort"},
    )

    html = creator_client.get(reverse("rewards:history")).content.decode()

    assert "Staff changes to your points and money" in html
    assert "Your slot was double-booked" in html and "cancelled and refunded" in html
    assert "Not for you" not in html
    assert "Internal note about the cohort" not in html
    assert staff.email not in html  # who on the staff decided is not the creator's to see
