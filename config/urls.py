"""The URL map: each app brings its own urls module."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("steward.api.urls")),
    path("", include("steward.web_urls")),
]
