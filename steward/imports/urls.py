from django.urls import path

from steward.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.start, name="start"),
    path("export/", views.export, name="export"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/map/", views.map_columns, name="map"),
    path("<uuid:pk>/review/", views.review, name="review"),
    path("<uuid:pk>/run/", views.run, name="run"),
    path("<uuid:pk>/cancel/", views.cancel, name="cancel"),
    path("<uuid:pk>/report.csv", views.report_csv, name="report"),
]
