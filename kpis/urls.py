from django.urls import path

from . import views, views_inspections

app_name = "kpis"

urlpatterns = [
    path("", views.KPIBoardView.as_view(), name="board"),
    path("new/", views.KPIFormView.as_view(), name="create"),
    path("export.csv", views.KPIBoardExportView.as_view(file_format="csv"), name="export_csv"),
    path("export.xlsx", views.KPIBoardExportView.as_view(file_format="xlsx"), name="export_xlsx"),
    path("library/", views.KPILibraryView.as_view(), name="library"),
    path("inspections/", views_inspections.InspectionListView.as_view(), name="inspections"),
    path(
        "inspections/new/",
        views_inspections.InspectionCreateView.as_view(),
        name="inspection_create",
    ),
    path("inspections/plan/", views_inspections.SamplingPlanView.as_view(), name="sampling_plan"),
    path(
        "inspections/<int:inspection_id>/",
        views_inspections.InspectionDetailView.as_view(),
        name="inspection_detail",
    ),
    path("<int:kpi_id>/", views.KPIDetailView.as_view(), name="detail"),
    path("<int:kpi_id>/edit/", views.KPIFormView.as_view(), name="edit"),
    path("<int:kpi_id>/measurements/", views.MeasurementRecordView.as_view(), name="record"),
]
