"""The notices pages, under /settings/notices/ (namespace "notices")."""

from django.urls import path

from steward.consent import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list_view, name="list"),
    path("<uuid:pk>/", views.notice_detail_view, name="detail"),
    path("<uuid:pk>/versions/new/", views.notice_version_create_view, name="version_create"),
    path("versions/<uuid:pk>/", views.notice_version_edit_view, name="version_edit"),
    path("versions/<uuid:pk>/publish/", views.notice_version_publish_view, name="version_publish"),
]
