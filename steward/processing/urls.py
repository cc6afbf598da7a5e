"""The register's pages, under /processing/ (namespace "processing")."""

from django.urls import path

from steward.processing import views

app_name = "processing"

urlpatterns = [
    path("", views.register_view, name="register"),
    path("purposes/new/", views.purpose_create_view, name="purpose_create"),
    path("purposes/<slug:key>/", views.purpose_detail, name="purpose_detail"),
    path("purposes/<slug:key>/edit/", views.purpose_edit_view, name="purpose_edit"),
    path("recipients/", views.recipient_list_view, name="recipients"),
    path("recipients/new/", views.recipient_create_view, name="recipient_create"),
    path("recipients/<uuid:pk>/", views.recipient_detail, name="recipient_detail"),
    path("recipients/<uuid:pk>/edit/", views.recipient_edit_view, name="recipient_edit"),
    path("recipients/<uuid:pk>/agreement/", views.recipient_agreement, name="recipient_agreement"),
    path("record/", views.record_view, name="record"),
    path("record.csv", views.record_csv_view, name="record_csv"),
    path("record.json", views.record_json_view, name="record_json"),
]
