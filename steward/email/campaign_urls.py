"""Staff URLs of campaigns (/campaigns/)."""

from django.urls import path

from steward.email import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaigns, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<uuid:pk>/", views.campaign_detail, name="detail"),
    path("<uuid:pk>/edit/", views.campaign_edit, name="edit"),
    path("<uuid:pk>/send/", views.campaign_send, name="send"),
]
