"""The administrator's settings pages, under /settings/ (namespace "staff"). Sign-in and
sign-out stay in steward.staff.urls, without a namespace, as 'login' and 'logout'."""

from django.urls import path

from steward.staff import views_roles
from steward.staff import views_settings as views

app_name = "staff"

urlpatterns = [
    path("", views.settings_index, name="settings"),
    path("staff/", views.staff_list_view, name="staff_list"),
    path("staff/new/", views.staff_create_view, name="staff_create"),
    path("staff/password/", views.staff_password, name="staff_password"),
    path("staff/<uuid:pk>/", views.staff_edit, name="staff_edit"),
    path("staff/<uuid:pk>/deactivate/", views.staff_deactivate_view, name="staff_deactivate"),
    path("staff/<uuid:pk>/reactivate/", views.staff_reactivate_view, name="staff_reactivate"),
    path(
        "staff/<uuid:pk>/reset-second-factors/",
        views.staff_second_factors_reset_view,
        name="staff_second_factors_reset",
    ),
    path(
        "staff/<uuid:pk>/reset-password/",
        views.staff_password_reset_view,
        name="staff_password_reset",
    ),
    path("roles/", views_roles.roles_view, name="roles"),
    path("teams/new/", views.team_create_view, name="team_create"),
    path("teams/<uuid:pk>/", views.team_edit, name="team_edit"),
    path("custom-fields/", views.custom_field_list_view, name="custom_field_list"),
    path("custom-fields/new/", views.custom_field_create_view, name="custom_field_create"),
    path("custom-fields/<uuid:pk>/", views.custom_field_edit, name="custom_field_edit"),
    path(
        "custom-fields/<uuid:pk>/delete/",
        views.custom_field_delete_view,
        name="custom_field_delete",
    ),
    path("pipelines/", views.pipeline_list_view, name="pipeline_list"),
    path("pipelines/new/", views.pipeline_create_view, name="pipeline_create"),
    path("pipelines/<uuid:pk>/", views.pipeline_edit, name="pipeline_edit"),
    path("pipelines/<uuid:pk>/default/", views.pipeline_default, name="pipeline_default"),
    path("pipelines/<uuid:pk>/stages/new/", views.stage_add_view, name="stage_add"),
    path(
        "pipelines/<uuid:pk>/stages/<uuid:stage_pk>/delete/",
        views.stage_delete_view,
        name="stage_delete",
    ),
]
