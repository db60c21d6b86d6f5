from django.urls import path

from . import views_reports as views

urlpatterns = [
    path("rounds/<int:round_id>/report/", views.ReportView.as_view(), name="report"),
    path("rounds/<int:round_id>/report.pdf", views.ReportPDFView.as_view(), name="report_pdf"),
]
