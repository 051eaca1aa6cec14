from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Creator Portal"


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's site (portal.admin.PortalAdminSite) as `admin.site`;
    named in INSTALLED_APPS in place of django.contrib.admin."""

    default = False  # not the portal app's own config
    default_site = "portal.admin.PortalAdminSite"
