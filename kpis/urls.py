from django.urls import path

from . import views, views_disputes, views_inspections

app_name = "kpis"

urlpatterns = [
    path("", views.KPIBoardView.as_view(), name="board"),
    path("new/", views.KPIFormView.as_view(), name="create"),
    path("export.csv", views.KPIBoardExportView.as_view(file_format="csv"), name="export_csv"),
    path("export.xlsx", views.KPIBoardExportView.as_view(file_format="xlsx"), name="export_xlsx"),
    path("library/", views.KPILibraryView.as_view(), name="library"),
    path("import/", views.MeasurementImportView.as_view(), name="import"),
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
    path(
        "inspections/<int:inspection_id>/areas/<int:area_id>/photos/",
        views_inspections.DefectPhotoUploadView.as_view(),
        name="defect_photo_upload",
    ),
    path(
        "inspections/<int:inspection_id>/photos/<int:photo_id>/",
        views_inspections.DefectPhotoView.as_view(),
        name="defect_photo",
    ),
    path(
        "inspections/<int:inspection_id>/dispute/",
        views_disputes.InspectionDisputeView.as_view(),
        name="inspection_dispute",
    ),
    path("disputes/", views_disputes.DisputeListView.as_view(), name="disputes"),
    path(
        "disputes/<int:dispute_id>/",
        views_disputes.DisputeDetailView.as_view(),
        name="dispute_detail",
    ),
    path(
        "disputes/<int:dispute_id>/comment/",
        views_disputes.DisputeActionView.as_view(action="comment"),
        name="dispute_comment",
    ),
    path(
        "disputes/<int:dispute_id>/resolve/",
        views_disputes.DisputeActionView.as_view(action="resolve", write_action="manage"),
        name="dispute_resolve",
    ),
    path(
        "<int:kpi_id>/measurements/<int:measurement_id>/evidence/",
        views.MeasurementEvidenceView.as_view(),
        name="measurement_evidence",
    ),
    path(
        "<int:kpi_id>/measurements/<int:measurement_id>/dispute/",
        views_disputes.MeasurementDisputeView.as_view(),
        name="measurement_dispute",
    ),
    path("<int:kpi_id>/", views.KPIDetailView.as_view(), name="detail"),
    path("<int:kpi_id>/edit/", views.KPIFormView.as_view(), name="edit"),
    path("<int:kpi_id>/measurements/", views.MeasurementRecordView.as_view(), name="record"),
]
