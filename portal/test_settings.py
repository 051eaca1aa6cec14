"""Settings for the test suite: real PostgreSQL and Redis when they answer, SQLite otherwise.

DATABASE_URL and REDIS_URL win when set. Otherwise the servers' default local ports are
probed once; the root conftest prints which backends the run uses.
"""

import os
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlsplit


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


if "DATABASE_URL" not in os.environ and _answers("127.0.0.1", 5432):
    os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/portal"
if "REDIS_URL" not in os.environ and _answers("127.0.0.1", 6379):
    # Database 15, so flushing the cache between tests never touches a developer's data.
    os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/15"

if os.environ.get("REDIS_URL"):
    # Tests flush the cache: always their own database (15, or TEST_REDIS_DB so two suites can
    # run side by side), never a developer's data.
    test_db = int(os.environ.get("TEST_REDIS_DB", "15"))
    # Under pytest-xdist each worker flushes its own database: gw0 the one above, gw1 the one
    # below it, and so on, so one worker's flush never empties another's sessions.
    test_db -= int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    os.environ["REDIS_URL"] = (
        urlsplit(os.environ["REDIS_URL"])._replace(path=f"/{test_db}").geturl()
    )

from portal.settings import *  # noqa: E402, F403

# Tests run tasks in-process even with a broker; tests that need a real worker start one.
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
# Uploaded files (store images) go to a throwaway directory, never the developer's media/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-private-media-"))
STORAGES["private"]["OPTIONS"]["location"] = PRIVATE_MEDIA_ROOT  # noqa: F405
