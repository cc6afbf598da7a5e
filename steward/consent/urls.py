"""URLs under /consent/ (namespace "consent"): the contact page's consent actions, and the
public cookie-banner script and endpoint the company's website calls."""

from django.urls import path

from steward.consent import views

app_name = "consent"

urlpatterns = [
    path("contacts/<uuid:pk>/record/", views.consent_record_view, name="record"),
    path(
        "contacts/<uuid:pk>/withdraw/<slug:purpose_key>/",
        views.consent_withdraw_view,
        name="withdraw",
    ),
    path("contacts/<uuid:pk>/receipt.json", views.consent_receipt_view, name="receipt"),
    path("cookies.js", views.cookie_script, name="cookie_script"),
    path("cookies/choice", views.cookie_choice_endpoint, name="cookie_choice"),
]
