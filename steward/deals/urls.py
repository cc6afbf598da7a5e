from django.urls import path

from steward.deals import views

app_name = "deals"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.create, name="create"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/edit/", views.edit, name="edit"),
    path("<uuid:pk>/move/", views.move, name="move"),
    path("<uuid:pk>/delete/", views.delete, name="delete"),
    path("pick/contact/", views.picker, {"kind": "contact"}, name="pick_contact"),
    path("pick/organisation/", views.picker, {"kind": "organisation"}, name="pick_organisation"),
]
