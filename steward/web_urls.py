"""URLs of the staff web UI, gathered from each app."""

from django.urls import include, path

urlpatterns = [
    path("", include("steward.dashboard.urls")),
    path("", include("steward.staff.urls")),
    path("contacts/", include("steward.contacts.urls")),
    path("activities/", include("steward.activities.urls")),
    path("deals/", include("steward.deals.urls")),
    path("import/", include("steward.imports.urls")),
    path("detection/", include("steward.detection.urls")),
    path("settings/children/", include("steward.children.urls")),
    path("settings/notices/", include("steward.consent.settings_urls")),
    path("consent/", include("steward.consent.urls")),
    path("inventory/", include("steward.inventory.urls")),
    path("processing/", include("steward.processing.urls")),
    path("requests/", include("steward.rights.urls")),
    path("settings/", include("steward.staff.settings_urls")),
    path("security/", include("steward.audit.urls")),
    path("campaigns/", include("steward.email.campaign_urls")),
    # Public, no login: /subscribe and /email/... (steward.email).
    path("", include("steward.email.urls")),
]
