"""Production settings refuse to start without a secret, and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    """manage.py with the test's environment, less the settings a test decides; a variable
    given as None is left unset."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    merged = {**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={k: v for k, v in merged.items() if v is not None},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_without_a_secret_key_refuses_to_start() -> None:
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=0" in result.stderr


def test_a_real_host_without_a_secret_key_refuses_to_start_even_with_debug_on() -> None:
    result = run_manage("check", ALLOWED_HOSTS="portal.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when ALLOWED_HOSTS names a real host" in result.stderr


def test_production_settings_pass_the_deploy_checks() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x" * 50 + "-a-long-random-production-secret",
        ALLOWED_HOSTS="portal.example.com",
    )
    assert result.returncode == 0, result.stderr


def setting(name: str, **env: str | None) -> str:
    code = f"from django.conf import settings; print(settings.{name})"
    result = run_manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after the shell's note on its imports


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "x" * 50 + "-a-long-random-production-secret"}


def test_staff_need_two_factor_for_admin_unless_debug_or_told_otherwise() -> None:
    assert setting("STAFF_REQUIRE_MFA", **PRODUCTION) == "True"
    assert setting("STAFF_REQUIRE_MFA", DEBUG="1") == "False"
    assert setting("STAFF_REQUIRE_MFA", **PRODUCTION, STAFF_REQUIRE_MFA="0") == "False"
    assert setting("STAFF_REQUIRE_MFA", DEBUG="1", STAFF_REQUIRE_MFA="1") == "True"


def test_the_portal_url_in_emails_follows_the_port_make_run_serves_on() -> None:
    """Issue 11: with PORT=18101 make run, seed_demo's emails linked to port 8000."""
    assert setting("PORTAL_URL", PORT="18101", PORTAL_URL=None) == "http://127.0.0.1:18101"
    assert setting("PORTAL_URL", PORT=None, PORTAL_URL=None) == "http://127.0.0.1:8000"
    chosen = setting("PORTAL_URL", PORT="18101", PORTAL_URL="https://portal.example.com")
    assert chosen == "https://portal.example.com"
