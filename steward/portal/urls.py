from django.urls import path

from steward.portal import consents, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sent/", views.sent, name="sent"),
    path("consents/", consents.consents, name="consents"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("request/<str:token>/", views.status, name="status"),
    path("request/<str:token>/download/", views.download_link, name="download_link"),
    path("download/<str:token>/", views.download, name="download"),
]
