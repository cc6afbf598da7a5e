"""The Art. 8 settings page, under /settings/children/ (namespace "children")."""

from django.urls import path

from steward.children import views

app_name = "children"

urlpatterns = [
    path("", views.consent_age_list, name="consent_ages"),
    path("<slug:slug>/", views.consent_age_edit, name="consent_age_edit"),
    path("<slug:slug>/remove/", views.consent_age_remove_view, name="consent_age_remove"),
]
