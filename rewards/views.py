from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import public

from . import selectors
from .models import Metric, rewards_day_today


@public  # the rules are published: anyone may read how points are earned
@require_GET
def how_points_work(request: HttpRequest) -> HttpResponse:
    """Every rule in force today, in words, with what counts and what does not."""
    today = rewards_day_today()
    rules = selectors.rules_in_words(today)
    return render(
        request,
        "rewards/how_points_work.html",
        {
            "today": today,
            "rules": rules,
            "has_qualified_views": any(r.metric == Metric.QUALIFIED_VIEWS for r in rules),
            "min_duration_s": settings.QUALIFIED_VIEW_MIN_DURATION_S,
            "streak_days": settings.REWARDS_STREAK_DAYS,
            "trailing_days": settings.AUTHENTICITY["TRAILING_DAYS"],
            "rewards_day_tz": settings.REWARDS_DAY_TZ,
        },
    )
