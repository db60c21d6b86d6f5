from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("", views.RegisterView.as_view(), name="register"),
    path("rooms/new/", views.RoomCreateView.as_view(), name="room_create"),
    path("rooms/<int:room_id>/", views.RoomDetailView.as_view(), name="room"),
    path(
        "rooms/<int:room_id>/retire/",
        views.RoomStateView.as_view(change="retire"),
        name="room_retire",
    ),
    path(
        "rooms/<int:room_id>/reinstate/",
        views.RoomStateView.as_view(change="reinstate"),
        name="room_reinstate",
    ),
    path("import/", views.ImportView.as_view(), name="import"),
    path(
        "import/template.csv",
        views.ImportTemplateView.as_view(file_format="csv"),
        name="import_template_csv",
    ),
    path(
        "import/template.xlsx",
        views.ImportTemplateView.as_view(file_format="xlsx"),
        name="import_template_xlsx",
    ),
    path("export.csv", views.ExportView.as_view(file_format="csv"), name="export_csv"),
    path("export.xlsx", views.ExportView.as_view(file_format="xlsx"), name="export_xlsx"),
]
