from django.urls import path

from steward.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.events, name="security_events"),
]
