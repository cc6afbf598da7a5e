"""Public URLs of steward.email (no login): /subscribe and /email/..."""

from django.urls import path

from steward.email import public_views

app_name = "email"

urlpatterns = [
    path("subscribe", public_views.subscribe, name="subscribe"),
    path("email/confirm/<str:token>", public_views.confirm, name="confirm"),
    path("email/preferences/<str:token>", public_views.preferences, name="preferences"),
    path("email/unsubscribe/<str:token>", public_views.unsubscribe, name="unsubscribe"),
]
