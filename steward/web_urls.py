"""URLs of the staff web UI, gathered from each app."""

from django.urls import include, path

urlpatterns = [
    path("", include("steward.core.urls")),
]
