from django.urls import path

from steward.activities import views

app_name = "activities"

urlpatterns = [
    path("log/", views.log, name="log"),
    path("<uuid:pk>/complete/", views.complete, name="complete"),
]
