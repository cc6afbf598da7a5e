from django.urls import path

from steward.inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.data_map_view, name="data_map"),
    path("export.json", views.export_json, name="export_json"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("categories/", views.categories_view, name="categories"),
    path("categories/<str:key>/edit/", views.category_edit_view, name="category_edit"),
]
