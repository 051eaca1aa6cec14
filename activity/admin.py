from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from . import services
from .ingestion.records import format_bp
from .models import (
    AudienceDay,
    AudienceDimension,
    CreatorDay,
    EngagementFlag,
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


# Short names for the list; the full sentences (which creators read) are on each flag's page.
SHORT_REASONS = {
    FlagReason.VIEW_SPIKE: "View spike",
    FlagReason.LIKE_RATIO: "Likes per view",
    FlagReason.COMMENT_RATIO: "Comments per view",
    FlagReason.BOT_MARKED: "Bot-marked",
}


@admin.register(EngagementFlag)
class EngagementFlagAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # flags come from the authenticity pass only

    def _review(self, request: HttpRequest, queryset: QuerySet, verdict: str) -> None:
        for flag in queryset:
            services.review_flag(flag=flag, verdict=verdict, reviewer=request.user)
        self.message_user(request, f"{queryset.count()} flag(s) {verdict}.", messages.SUCCESS)

    @admin.action(description="Confirm: keep the engagement excluded")
    def confirm(self, request: HttpRequest, queryset: QuerySet[EngagementFlag]) -> None:
        self._review(request, queryset, FlagStatus.CONFIRMED)

    @admin.action(description="Dismiss: count it again at the next recalculation")
    def dismiss(self, request: HttpRequest, queryset: QuerySet[EngagementFlag]) -> None:
        self._review(request, queryset, FlagStatus.DISMISSED)
