"""One settings module for every environment; differences come from environment variables.

Every variable read here is listed, with its default, in the README's configuration table.
"""

from datetime import date
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=LOCAL_HOSTS)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0.")
    # A deploy that forgot DEBUG=0 must not run on a key everyone can read.
    if set(ALLOWED_HOSTS) - {*LOCAL_HOSTS, "testserver"}:
        raise ImproperlyConfigured("SECRET_KEY must be set when ALLOWED_HOSTS names a real host.")
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin, with the portal's site: sign-in through allauth, two-factor for staff.
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "django_countries",
    "django_celery_beat",
    "csp",
    # The portal's own apps, from the top floor down (see DESIGN.md).
    "portal",
    "reports",
    "privacy",
    "devdata",
    "store",
    "marketplace",
    "subscriptions",
    "academy",
    "gifts",
    "rewards",
    "payments",
    "activity",
    "accounts",
    "core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]
# Project templates (including overrides of allauth's and Django's form templates) win.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and an in-process task read while another writes;
    # IMMEDIATE transactions fail fast instead of deadlocking on lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is the Celery broker and the cache when REDIS_URL is set. Without it the
# portal still works on a laptop: an in-memory cache and tasks run in-process.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
        }
    }
    # Sessions are read from Redis on every request and written through to the database,
    # so a restart of Redis signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"

# django-allauth: email is the login; every account flow is allauth's, in our layout.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Creator Portal] "
ACCOUNT_LOGOUT_REDIRECT_URL = "portal:landing"
# Signup and password reset never say whether an address has an account: both answer
# "check your email", and the email says what happened (templates/account/email/).
ACCOUNT_PREVENT_ENUMERATION = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Creator Portal"
MFA_TOTP_TOLERANCE = 1
# Admin moves points and money: staff open it only with two-factor authentication turned on
# (portal.admin). Off by default with DEBUG=1, so the demo's staff account opens it at once.
STAFF_REQUIRE_MFA = env.bool("STAFF_REQUIRE_MFA", default=not DEBUG)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Creator Portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the portal is reached, for links in emails sent outside a request.
# Unset or empty, it follows PORT, the port `make run` serves on.
PORTAL_URL = (
    env.str("PORTAL_URL", default="") or f"http://127.0.0.1:{env.int('PORT', default=8000)}"
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The rewards "day" is a calendar date in this zone (DESIGN.md: times stored in UTC).
REWARDS_DAY_TZ = env.str("REWARDS_DAY_TZ", default="UTC")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads only some may see (exclusive posts' pictures): never under MEDIA_URL; a view that
# checks who asks sends them (subscriptions.views_posts.post_picture).
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/no-public-url/"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"

# Celery: Redis broker when configured, otherwise every task runs in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# acks_late is set per task, on tasks proven safe to run twice (STYLE.md, Celery).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 50 * 60
CELERY_TASK_TIME_LIMIT = 60 * 60
# Longer than the longest task, or Redis hands an unacknowledged task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Program thresholds (DESIGN.md, "The programs the portal runs"). Pages read them from here.
CREATOR_MIN_SIGNUP_AGE = 13
CREATOR_REWARDS_MIN_AGE = 18
CREATOR_REWARDS_MIN_FOLLOWERS = 10_000
CREATOR_REWARDS_MIN_VIEWS_30D = 100_000
MARKETPLACE_MIN_FOLLOWERS = 10_000  # "more than": 10,001 joins
MARKETPLACE_MIN_AGE = 18
# The Marketplace's collaborations: the platform's fee on each price, how long an invitation
# waits for an answer, how soon a declined application may be made again, how long a delivery
# waits for the brand before it is approved for them, and the rounds of changes a brand may ask.
MARKETPLACE_FEE_PCT = env.int("MARKETPLACE_FEE_PCT", default=15)
MARKETPLACE_INVITE_DAYS = 7
MARKETPLACE_REAPPLY_DAYS = 30
MARKETPLACE_AUTO_APPROVE_DAYS = 14
MARKETPLACE_CHANGE_ROUNDS = 2
# The match score's parts and their weights (they add up to 100): how well a listed creator
# fits a campaign, from the features refreshed nightly (marketplace.matching).
MARKETPLACE_MATCH_WEIGHTS = {
    "niche": 25,
    "audience": 20,
    "engagement": 15,
    "authenticity": 15,
    "price": 10,
    "activity": 10,
    "badges": 5,
}
SUBSCRIPTIONS_MIN_AGE = 18
SUBSCRIPTIONS_MIN_FOLLOWERS = 1_000
# Subscription money stays pending this many days (refunds and disputes), and a failed renewal
# is retried once a day for this many days before the subscription lapses.
# Staff change these in admin (subscription rules); these are the first values.
SUBSCRIPTIONS_INVITE_ONLY = env.bool("SUBSCRIPTIONS_INVITE_ONLY", default=True)
SUBSCRIPTIONS_CREATOR_SHARE_PCT = 70
SUBSCRIPTIONS_RAISED_SHARE_PCT = 90
SUBSCRIPTIONS_PENDING_DAYS = env.int("SUBSCRIPTIONS_PENDING_DAYS", default=7)
SUBSCRIPTIONS_RETRY_DAYS = env.int("SUBSCRIPTIONS_RETRY_DAYS", default=3)
# Fan support (gifts app). Money from gifts and tips stays pending this many days, so a
# refunded coin purchase can still be taken back from the creators its gifts went to.
SUPPORT_PENDING_DAYS = env.int("SUPPORT_PENDING_DAYS", default=14)
# Of each tip, the creator's share in percent; the rest is the platform fee.
TIP_CREATOR_SHARE_PCT = env.int("TIP_CREATOR_SHARE_PCT", default=80)
# A live session takes gifts from its start until its reported end plus this many minutes
# (the platform reports a session's length a little behind).
GIFTS_LIVE_GRACE_MINUTES = 10
# Privacy (the privacy app). A data export's download link works this many hours, then the
# archive is removed. Records the law makes the portal keep after an account closes
# (payments, payouts: tax and accounting law) are erased this many days after closing.
# Nightly retention (privacy.apply_retention) removes, in batches of RETENTION_BATCH_SIZE
# rows, raw activity (per-video days and audience splits), subscriber chat messages and
# notification emails older than their number of days.
DATA_EXPORT_LINK_HOURS = env.int("DATA_EXPORT_LINK_HOURS", default=72)
RETENTION_PAYMENT_RECORDS_DAYS = env.int("RETENTION_PAYMENT_RECORDS_DAYS", default=7 * 365 + 2)
RETENTION_RAW_ACTIVITY_DAYS = env.int("RETENTION_RAW_ACTIVITY_DAYS", default=730)
RETENTION_CHAT_DAYS = env.int("RETENTION_CHAT_DAYS", default=365)
RETENTION_NOTIFICATIONS_DAYS = env.int("RETENTION_NOTIFICATIONS_DAYS", default=365)
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=5_000)
# The window a creator's pace toward a threshold is measured over (path to each program).
ELIGIBILITY_PACE_DAYS = 30

# Production hardening: on whenever DEBUG=0, each overridable for a local production run.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): only the portal's own files run, load and are framed, on
# every page, htmx fragment and admin page alike. Nothing inline: no <script> without a src, no
# on* handler, no style attribute or <style> element (htmx's indicator styles are in portal.css,
# see the htmx-config in base.html), so neither 'unsafe-inline' nor 'unsafe-eval' is needed.
# Django's own DEBUG 404/500 pages, which are inline, get no policy (django-csp skips them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        # Scripts, styles, fonts, htmx requests: this origin only.
        "default-src": [SELF],
        # data: for the authenticator QR code, which allauth draws as an SVG data URI.
        "img-src": [SELF, "data:"],
        # Academy lesson videos: uploaded ones, and those linked from the hosts named here.
        "media-src": [SELF, *env.list("CSP_MEDIA_HOSTS", default=[])],
        "object-src": [NONE],
        # Not fetches, so default-src does not cover them.
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        # Where browsers post what they refused; unset, they only tell their own console.
        "report-uri": env.str("CSP_REPORT_URI", default="") or None,
    },
}
# Permissions-Policy (django-permissions-policy): the powerful browser features the portal never
# uses are off, for its pages and anything they might ever embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # The stripe library logs request bodies (card numbers in tests) at DEBUG: never pass them.
    "loggers": {"stripe": {"level": "WARNING"}},
}

# Activity ingestion (POST /api/v1/activity/batches and import_activity).
ACTIVITY_BATCH_MAX_RECORDS = env.int("ACTIVITY_BATCH_MAX_RECORDS", default=5_000)
ACTIVITY_BATCH_MAX_BYTES = env.int("ACTIVITY_BATCH_MAX_BYTES", default=5 * 1024 * 1024)
# Records about days or times before this are refused (after now, too): no platform data is
# older, and PostgreSQL would store the calendar's far ends as dates it cannot give back.
ACTIVITY_EARLIEST_DATE = date.fromisoformat(env.str("ACTIVITY_EARLIEST_DATE", default="2005-01-01"))
# Django refuses bodies above this before any view sees them: let a full batch through.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, ACTIVITY_BATCH_MAX_BYTES)

# A qualified view: of an original video at least this long, watched at least 5 s.
QUALIFIED_VIEW_MIN_DURATION_S = 60
# The Creator Rewards Program pays a video for a month from this many qualified views in it.
PROGRAM_MIN_QUALIFIED_VIEWS = env.int("PROGRAM_MIN_QUALIFIED_VIEWS", default=1_000)
# The loyalty (points) program's launch: a creator whose points account opened earlier counts
# as enrolled on this day (the staff report on the program's impact compares before and after).
LOYALTY_LAUNCH_DATE = date.fromisoformat(env.str("LOYALTY_LAUNCH_DATE", default="2026-01-01"))

# The authenticity pass (activity.authenticity): what of a video-day's engagement is implausible.
# Bounds are checked at start-up (activity.checks): nonsense values stop the portal with a message.
AUTHENTICITY = {
    # The creator's usual level and like rate come from this many days before the day judged,
    # leaving out video-days with a standing (open or upheld) flag...
    "TRAILING_DAYS": 28,
    # ...and need at least this many video-days; without them only the absolute ratios apply.
    "MIN_BASELINE_VIDEO_DAYS": 7,
    # One-sided deviations a count must lie beyond what is plausible before anything is set aside.
    "CONFIDENCE_Z": 2.0,
    # The level ceiling: the median views of a video-day plus this many robust deviations...
    "LEVEL_SPREADS": 3.0,
    # ...where the deviation counts as at least this share of the median (daily views are
    # heavy-tailed), plus Poisson noise.
    "LEVEL_MIN_SPREAD": 0.5,
    # (Tuned on `manage.py bench_authenticity`; README has the figures.)
    # Views beyond the ceiling must bring likes: up to NEAR_MULTIPLE times the usual views the
    # audience is the creator's own and keeps at least NEAR_LIKE_RATE_SHARE of the usual likes
    # per view; far beyond (viral reach, new audiences) FAR_LIKE_RATE_SHARE. What the likes do
    # not explain is set aside.
    "NEAR_MULTIPLE": 8.0,
    "NEAR_LIKE_RATE_SHARE": 0.7,
    "FAR_LIKE_RATE_SHARE": 0.45,
    # Likes per view up to the larger of this multiple of the creator's usual rate and the
    # absolute rate below are plausible; a day clearly beyond keeps the likes the creator's
    # usual rate explains, and the rest is set aside. Comments likewise, above their rate.
    "LIKE_RATE_MULTIPLE": 2.0,
    "MAX_LIKES_PER_VIEW": 0.2,
    "MAX_COMMENTS_PER_VIEW": 0.2,
}

# The nightly points recalculation (rewards.recalculation).
REWARDS_RECALC_SHARD_SIZE = env.int("REWARDS_RECALC_SHARD_SIZE", default=5_000)
# A store redemption staff leave pending longer than this is cancelled and refunded nightly.
STORE_PENDING_MAX_DAYS = env.int("STORE_PENDING_MAX_DAYS", default=14)
# A run none of whose shards is at work or has beaten for this many minutes is presumed dead:
# the next run of its day takes over.
REWARDS_RECALC_STALE_MINUTES = env.int("REWARDS_RECALC_STALE_MINUTES", default=5)
# The streak bonus: uploads on this many distinct days of one (Monday to Sunday) week.
REWARDS_STREAK_DAYS = 4

# The earnings statement's tax year starts on this day ("MM-DD"; "04-06" for the UK's).
EARNINGS_TAX_YEAR_START = env.str("EARNINGS_TAX_YEAR_START", default="01-01")
try:
    _tax_month, _tax_day = (int(part) for part in EARNINGS_TAX_YEAR_START.split("-"))
    date(2001, _tax_month, _tax_day)  # a real day of a year that is not a leap year
except ValueError as _error:
    raise ImproperlyConfigured(
        'EARNINGS_TAX_YEAR_START must be a month and day as "MM-DD", e.g. "04-06".'
    ) from _error

# The payments gateway (payments.gateway): "sandbox", in-process with test card numbers, or
# "stripe", the Stripe API at STRIPE_API_BASE (localstripe in tests and CI).
PAYMENTS_GATEWAY = env.str("PAYMENTS_GATEWAY", default="sandbox")
if PAYMENTS_GATEWAY not in {"sandbox", "stripe"}:
    raise ImproperlyConfigured('PAYMENTS_GATEWAY must be "sandbox" or "stripe".')
PAYMENTS_CURRENCY = env.str("PAYMENTS_CURRENCY", default="USD").upper()
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
# Seconds to wait for Stripe's answer; after that the outcome is unknown and reconciled.
STRIPE_TIMEOUT_SECONDS = env.int("STRIPE_TIMEOUT_SECONDS", default=30)
# Payouts (payments.payouts): the smallest request, in minor units of its currency, and how
# many days a new or changed payout method holds payouts.
PAYOUT_MINIMUM_MINOR = env.int("PAYOUT_MINIMUM_MINOR", default=1_000)
PAYOUT_METHOD_LOCK_DAYS = env.int("PAYOUT_METHOD_LOCK_DAYS", default=5)
