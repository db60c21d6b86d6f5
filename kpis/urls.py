from django.urls import path

from .views import disputes, inspections, inspections_rooms, kpis

app_name = "kpis"

urlpatterns = [
    path("", kpis.KPIBoardView.as_view(), name="board"),
    path("new/", kpis.KPIFormView.as_view(), name="create"),
    path("export.csv", kpis.KPIBoardExportView.as_view(file_format="csv"), name="export_csv"),
    path("export.xlsx", kpis.KPIBoardExportView.as_view(file_format="xlsx"), name="export_xlsx"),
    path("library/", kpis.KPILibraryView.as_view(), name="library"),
    path("import/", kpis.MeasurementImportView.as_view(), name="import"),
    path(
        "import/template.csv",
        kpis.MeasurementImportTemplateView.as_view(file_format="csv"),
        name="import_template_csv",
    ),
    path(
        "import/template.xlsx",
        kpis.MeasurementImportTemplateView.as_view(file_format="xlsx"),
        name="import_template_xlsx",
    ),
    path("inspections/", inspections.InspectionListView.as_view(), name="inspections"),
    path(
        "inspections/new/",
        inspections.InspectionCreateView.as_view(),
        name="inspection_create",
    ),
    path("inspections/plan/", inspections.SamplingPlanView.as_view(), name="sampling_plan"),
    path(
        "inspections/draw/",
        inspections_rooms.SampleDrawView.as_view(),
        name="inspection_draw",
    ),
    path(
        "inspections/<int:inspection_id>/rooms/",
        inspections_rooms.InspectionRoomsView.as_view(),
        name="inspection_rooms",
    ),
    path(
        "inspections/<int:inspection_id>/rooms/<int:sampled_room_id>/",
        inspections_rooms.RoomResultFormView.as_view(),
        name="inspection_room_result",
    ),
    path(
        "inspections/<int:inspection_id>/close/",
        inspections_rooms.InspectionCloseView.as_view(),
        name="inspection_close",
    ),
    path(
        "inspections/<int:inspection_id>/",
        inspections.InspectionDetailView.as_view(),
        name="inspection_detail",
    ),
    path(
        "inspections/<int:inspection_id>/areas/<int:area_id>/photos/",
        inspections.DefectPhotoUploadView.as_view(),
        name="defect_photo_upload",
    ),
    path(
        "inspections/<int:inspection_id>/photos/<int:photo_id>/",
        inspections.DefectPhotoView.as_view(),
        name="defect_photo",
    ),
    path(
        "inspections/<int:inspection_id>/dispute/",
        disputes.InspectionDisputeView.as_view(),
        name="inspection_dispute",
    ),
    path("disputes/", disputes.DisputeListView.as_view(), name="disputes"),
    path(
        "disputes/<int:dispute_id>/",
        disputes.DisputeDetailView.as_view(),
        name="dispute_detail",
    ),
    path(
        "disputes/<int:dispute_id>/comment/",
        disputes.DisputeActionView.as_view(action="comment"),
        name="dispute_comment",
    ),
    path(
        "disputes/<int:dispute_id>/resolve/",
        disputes.DisputeActionView.as_view(action="resolve", write_action="manage"),
        name="dispute_resolve",
    ),
    path(
        "<int:kpi_id>/measurements/<int:measurement_id>/evidence/",
        kpis.MeasurementEvidenceView.as_view(),
        name="measurement_evidence",
    ),
    path(
        "<int:kpi_id>/measurements/<int:measurement_id>/dispute/",
        disputes.MeasurementDisputeView.as_view(),
        name="measurement_dispute",
    ),
    path("<int:kpi_id>/", kpis.KPIDetailView.as_view(), name="detail"),
    path("<int:kpi_id>/edit/", kpis.KPIFormView.as_view(), name="edit"),
    path("<int:kpi_id>/measurements/", kpis.MeasurementRecordView.as_view(), name="record"),
    path(
        "<int:kpi_id>/norm/<int:proposal_id>/accept/",
        kpis.NormProposalDecisionView.as_view(decision="accept"),
        name="norm_accept",
    ),
    path(
        "<int:kpi_id>/norm/<int:proposal_id>/reject/",
        kpis.NormProposalDecisionView.as_view(decision="reject"),
        name="norm_reject",
    ),
    path(
        "<int:kpi_id>/norm/<int:proposal_id>/withdraw/",
        kpis.NormProposalDecisionView.as_view(decision="withdraw"),
        name="norm_withdraw",
    ),
]
