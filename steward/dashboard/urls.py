from django.urls import path

from steward.dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
