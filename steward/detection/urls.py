from django.urls import path

from steward.detection import views

app_name = "detection"

urlpatterns = [
    path("findings/<uuid:pk>/review/", views.review, name="review"),
]
