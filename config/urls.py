"""The URL map: each app brings its own urls module."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("steward.api.urls")),
    # The public privacy portal (no account): its own URLs, no staff views.
    path("privacy/", include("steward.portal.urls")),
    path("", include("steward.web_urls")),
]
