from django.urls import path

from steward.rights import views

app_name = "rights"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.log, name="log"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/<slug:step>/", views.step, name="step"),
]
