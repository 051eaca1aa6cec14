from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from accounts.audit import AuditTrailAdmin
from accounts.models import User
from core.admin import Decision, ReadOnlyAdmin, decide_in_turn

from . import services
from .ingestion.records import format_bp
from .models import (
    AudienceDay,
    AudienceDimension,
    CreatorDay,
    EngagementFlag,
    FlagAppeal,
    FlagReason,
    FlagStatus,
    Integration,
    LiveSession,
    Video,
    VideoDay,
)


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ["name", "token_prefix", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "token_prefix"]
    readonly_fields = ["token_prefix", "created_at", "last_used_at"]
    actions = ["rotate_tokens", "deactivate"]

    def save_model(
        self, request: HttpRequest, obj: Integration, form: ModelForm, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # Saves `obj` itself: admin goes on to log it and redirect to its page.
        token = services.issue_integration_token(integration=obj)
        messages.warning(
            request,
            f"The token for {obj.name} is {token} — copy it now; it is shown only this once.",
        )

    @admin.action(description="Issue new tokens (the old ones stop working)")
    def rotate_tokens(self, request: HttpRequest, queryset: QuerySet[Integration]) -> None:
        for integration in queryset:
            token = services.issue_integration_token(integration=integration)
            messages.warning(request, f"New token for {integration.name}: {token} (shown once).")

    @admin.action(description="Deactivate (refuse their batches)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Integration]) -> None:
        queryset.update(is_active=False)


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ["title", "creator", "published_at", "duration_s", "is_original", "record_id"]
    list_filter = ["is_original", "published_at"]
    search_fields = ["title", "record_id", "creator__handle"]
    list_select_related = ["creator"]
    raw_id_fields = ["creator"]
    date_hierarchy = "published_at"


@admin.register(VideoDay)
class VideoDayAdmin(admin.ModelAdmin):
    list_display = ["video", "day", "views", "views_5s", "likes", "comments", "shares", "bot_views"]
    list_filter = ["day"]
    search_fields = ["record_id", "video__title", "video__record_id", "creator__handle"]
    list_select_related = ["video"]
    raw_id_fields = ["video", "creator"]
    date_hierarchy = "day"


@admin.register(CreatorDay)
class CreatorDayAdmin(admin.ModelAdmin):
    list_display = ["creator", "day", "followers", "replies", "live_minutes"]
    list_filter = ["day"]
    search_fields = ["record_id", "creator__handle"]
    list_select_related = ["creator"]
    raw_id_fields = ["creator"]
    date_hierarchy = "day"


@admin.register(LiveSession)
class LiveSessionAdmin(admin.ModelAdmin):
    list_display = ["creator", "started_at", "minutes", "peak_viewers"]
    search_fields = ["record_id", "creator__handle"]
    list_select_related = ["creator"]
    raw_id_fields = ["creator"]
    date_hierarchy = "started_at"


@admin.register(AudienceDay)
class AudienceDayAdmin(admin.ModelAdmin):
    """Read-only: audiences come from the platform's records only."""

    list_display = ["creator", "day", "top_countries", "age_bands_shown", "genders_shown"]
    list_filter = ["day"]
    search_fields = ["record_id", "creator__handle"]
    list_select_related = ["creator"]
    date_hierarchy = "day"
    list_per_page = 50

    @staticmethod
    def _split(audience: AudienceDay, dimension: AudienceDimension, top: int) -> str:
        shares = audience.shares()[dimension]
        shown = ", ".join(f"{key} {format_bp(bp)} %" for key, bp in shares[:top])
        return f"{shown}, …" if len(shares) > top else shown

    @admin.display(description="Countries (largest)")
    def top_countries(self, audience: AudienceDay) -> str:
        return self._split(audience, AudienceDimension.COUNTRY, 3)

    @admin.display(description="Age bands")
    def age_bands_shown(self, audience: AudienceDay) -> str:
        return self._split(audience, AudienceDimension.AGE_BAND, len(audience.age_bands))

    @admin.display(description="Genders")
    def genders_shown(self, audience: AudienceDay) -> str:
        return self._split(audience, AudienceDimension.GENDER, len(audience.genders))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AudienceDay | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AudienceDay | None = None) -> bool:
        return False


class FlagAppealInline(admin.TabularInline):
    model = FlagAppeal
    fields = ["created_at", "message", "status", "verdict", "answer", "answered_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: EngagementFlag | None = None) -> bool:
        return False


# Short names for the list; the full sentences (which creators read) are on each flag's page.
SHORT_REASONS = {
    FlagReason.VIEW_SPIKE: "View spike",
    FlagReason.LIKE_RATIO: "Likes per view",
    FlagReason.COMMENT_RATIO: "Comments per view",
    FlagReason.BOT_MARKED: "Bot-marked",
}


@admin.register(EngagementFlag)
class EngagementFlagAdmin(AuditTrailAdmin):  # its History lists the review's audit entries
    list_display = [
        "day",
        "creator",
        "short_reason",
        "excluded_views",
        "excluded_likes",
        "short_status",
        "reviewed_by",
    ]
    list_filter = ["status", "reason", "day"]
    search_fields = ["creator__handle", "video_day__video__title", "detail"]
    list_select_related = ["creator", "reviewed_by"]
    list_per_page = 50

    @admin.display(description="Reason", ordering="reason")
    def short_reason(self, flag: EngagementFlag) -> str:
        return SHORT_REASONS[flag.reason]

    @admin.display(description="Status", ordering="status")
    def short_status(self, flag: EngagementFlag) -> str:
        return flag.get_status_display().split(":")[0]

    readonly_fields = [f.name for f in EngagementFlag._meta.fields]
    actions = ["confirm", "dismiss"]
    inlines = [FlagAppealInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # flags come from the authenticity pass only

    def _review(
        self, request: HttpRequest, queryset: QuerySet[EngagementFlag], decision: Decision
    ) -> HttpResponse | None:
        # The same service as the fraud review page, one flag at a time: a flag it refuses
        # (an appeal waiting with no note to answer it) is reported and the rest go ahead.
        return decide_in_turn(self, request, queryset, decision, str)

    @admin.action(description="Confirm: keep the engagement excluded")
    def confirm(
        self, request: HttpRequest, queryset: QuerySet[EngagementFlag]
    ) -> HttpResponse | None:
        return self._review(request, queryset, _flag_decision(FlagStatus.CONFIRMED))

    @admin.action(description="Dismiss: count it again at the next recalculation")
    def dismiss(
        self, request: HttpRequest, queryset: QuerySet[EngagementFlag]
    ) -> HttpResponse | None:
        return self._review(request, queryset, _flag_decision(FlagStatus.DISMISSED))


def _flag_decision(verdict: str) -> Decision:
    confirm = verdict == FlagStatus.CONFIRMED

    def decide(pk: int, reviewer: User, note: str) -> None:
        try:
            services.review_flags(flag_ids=[pk], verdict=verdict, reviewer=reviewer, note=note)
        except services.ActivityError as error:
            raise services.ActivityError(f"Flag {pk}: {error}") from None

    return Decision(
        verb="confirm" if confirm else "dismiss",
        title="Confirm flags" if confirm else "Dismiss flags",
        explanation=(
            "What these flags set aside stays out of points and pay."
            if confirm
            else "What these flags set aside counts again: the next nightly calculation pays "
            "it back as a correction."
        ),
        label="Note (answers any appeal waiting; the creator reads it)",
        submit=("Confirm {count} flag(s)" if confirm else "Dismiss {count} flag(s)"),
        noun="flag",
        past="reviewed",
        decide=decide,
        refused=services.ActivityError,
        note_required=False,
    )


@admin.register(FlagAppeal)
class FlagAppealAdmin(ReadOnlyAdmin):
    """Appeals are made by creators and answered on the fraud review page (or by reviewing
    the flag here with a note); admin shows them."""

    list_display = ["flag", "creator", "status", "created_at", "verdict", "answered_by"]
    list_filter = ["status", "verdict"]
    search_fields = ["flag__creator__handle", "message", "answer"]
    list_select_related = ["flag__creator", "answered_by"]
    date_hierarchy = "created_at"

    @admin.display(description="Creator", ordering="flag__creator__handle")
    def creator(self, appeal: FlagAppeal) -> str:
        return appeal.flag.creator.handle
