"""The KPI status summary on the dashboard cards and the partnership overview."""

from .selectors import status_summaries


def overview(partnership, access):
    summary = status_summaries(partnerships=[partnership]).get(partnership.pk)
    return {"summary": summary, "partnership": partnership}


def cards(partnerships):
    return {pk: {"summary": s} for pk, s in status_summaries(partnerships=partnerships).items()}
