from django.urls import path

from steward.contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_create_view, name="create"),
    path("<uuid:pk>/", views.contact_detail, name="detail"),
    path("<uuid:pk>/edit/", views.contact_edit, name="edit"),
    path("<uuid:pk>/delete/", views.contact_delete_view, name="delete"),
    path("<uuid:pk>/methods/", views.contact_method_add_view, name="method_add"),
    path(
        "<uuid:pk>/methods/<uuid:method_pk>/remove/",
        views.contact_method_remove_view,
        name="method_remove",
    ),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create_view, name="organisation_create"),
    path("organisations/options/", views.organisation_options, name="organisation_options"),
    path("organisations/<uuid:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<uuid:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<uuid:pk>/delete/",
        views.organisation_delete_view,
        name="organisation_delete",
    ),
]
