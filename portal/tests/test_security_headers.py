"""Every answer carries the Content-Security-Policy and the Permissions-Policy, and no template
needs the policy loosened: nothing inline that it would refuse."""

import re
from pathlib import Path

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response: HttpResponseBase) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_portal_policy(response: HttpResponseBase) -> None:
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    # Scripts and styles fall back to default-src: only the portal's own files.
    assert not {"script-src", "style-src"} & csp.keys()
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "report-uri" not in csp  # only where CSP_REPORT_URI names a collector
    features = dict(
        re.fullmatch(r"([a-z-]+)=(.*)", f.strip()).groups()
        for f in response["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert features[feature] == "()", feature


def test_a_page_carries_both_policies(client: Client) -> None:
    response = client.get(reverse("portal:landing"))
    assert response.status_code == 200
    assert_portal_policy(response)


def test_an_htmx_fragment_carries_both_policies(creator_client: Client) -> None:
    response = creator_client.get(
        reverse("rewards:points_panel"), {"period": 7}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # the fragment, not the page
    assert_portal_policy(response)


def test_admin_pages_carry_both_policies(staff_client: Client) -> None:
    response = staff_client.get(reverse("admin:store_redemption_changelist"))
    assert response.status_code == 200
    assert_portal_policy(response)


def test_a_404_carries_both_policies(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_portal_policy(response)


# What the policy refuses, written into a template: a script with no src (a JSON data block
# is not run, so it may stay), an on* handler, a style attribute or element, a javascript: URL.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
    r"|\son[a-z]+\s*=|\sstyle\s*=|<style\b|javascript:",
    re.IGNORECASE,
)


def test_no_template_has_inline_script_handler_or_style() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in INLINE.finditer(path.read_text())
    ]
    assert found == []


def test_the_inline_check_would_see_each_kind() -> None:
    samples = [
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        '<p style="color: red">',
        "<style>p {}</style>",
        '<a href="javascript:go()">',
    ]
    assert all(INLINE.search(sample) for sample in samples)
    allowed = ['<script src="/static/x.js" defer></script>', '<script type="application/json">']
    assert not any(INLINE.search(sample) for sample in allowed)
