"""Start-up checks of the activity app's settings: nonsense thresholds stop the portal with a
message naming the setting, instead of flagging everything or nothing in silence."""

from collections.abc import Mapping
from numbers import Real

from django.conf import settings
from django.core import checks

# setting: (lowest, highest, what it is); both bounds included.
AUTHENTICITY_BOUNDS: dict[str, tuple[float, float, str]] = {
    "TRAILING_DAYS": (7, 365, "days of history a baseline looks back"),
    "MIN_BASELINE_VIDEO_DAYS": (3, 1_000, "video-days a baseline needs"),
    "CONFIDENCE_Z": (1.0, 10.0, "one-sided deviations"),
    "LEVEL_SPREADS": (0.0, 50.0, "robust deviations above the median"),
    "LEVEL_MIN_SPREAD": (0.0, 10.0, "share of the median"),
    "NEAR_MULTIPLE": (1.0, 100.0, "multiple of the usual views"),
    "NEAR_LIKE_RATE_SHARE": (0.05, 1.0, "share of the usual like rate"),
    "FAR_LIKE_RATE_SHARE": (0.05, 1.0, "share of the usual like rate"),
    "LIKE_RATE_MULTIPLE": (1.0, 20.0, "multiple of the usual like rate"),
    "MAX_LIKES_PER_VIEW": (0.01, 1.0, "likes per view"),
    "MAX_COMMENTS_PER_VIEW": (0.01, 1.0, "comments per view"),
}
INTEGER_SETTINGS = {"TRAILING_DAYS", "MIN_BASELINE_VIDEO_DAYS"}


def authenticity_problems(rules: object) -> list[str]:
    """What is wrong with an AUTHENTICITY setting, one sentence each; empty when it is sane."""
    if not isinstance(rules, Mapping):
        return ["AUTHENTICITY must be a dict of thresholds."]
    problems = [
        f"AUTHENTICITY[{name!r}] is missing." for name in AUTHENTICITY_BOUNDS if name not in rules
    ]
    problems += [
        f"AUTHENTICITY[{name!r}] is not a known threshold."
        for name in rules
        if name not in AUTHENTICITY_BOUNDS
    ]
    for name, (lowest, highest, unit) in AUTHENTICITY_BOUNDS.items():
        if name not in rules:
            continue
        value = rules[name]
        whole = name in INTEGER_SETTINGS
        if isinstance(value, bool) or not isinstance(value, int if whole else Real):
            kind = "a whole number" if whole else "a number"
            problems.append(f"AUTHENTICITY[{name!r}] must be {kind}, not {value!r}.")
        elif not lowest <= value <= highest:
            problems.append(
                f"AUTHENTICITY[{name!r}] is {value!r}; it must be from {lowest:g} to "
                f"{highest:g} ({unit})."
            )
    if not problems and rules["FAR_LIKE_RATE_SHARE"] > rules["NEAR_LIKE_RATE_SHARE"]:
        problems.append(
            "AUTHENTICITY['FAR_LIKE_RATE_SHARE'] cannot exceed 'NEAR_LIKE_RATE_SHARE': a viral "
            "day's new audience likes no more than the creator's own."
        )
    if not problems and rules["MIN_BASELINE_VIDEO_DAYS"] > rules["TRAILING_DAYS"] * 10:
        problems.append(
            "AUTHENTICITY['MIN_BASELINE_VIDEO_DAYS'] cannot be reached in "
            f"{rules['TRAILING_DAYS']} days of history."
        )
    return problems


@checks.register()
def check_authenticity_settings(**kwargs: object) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            problem,
            hint="See the comments at AUTHENTICITY in portal/settings.py.",
            id="activity.E001",
        )
        for problem in authenticity_problems(getattr(settings, "AUTHENTICITY", None))
    ]
