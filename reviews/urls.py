"""Review rounds and actions inside a partnership: /partnerships/<uuid>/rounds/… and …/actions/…

The routes live with their views' topic: rounds, the session and its agenda, the report, actions.
"""

from . import urls_actions, urls_reports, urls_rounds, urls_sessions

app_name = "reviews"

urlpatterns = [
    *urls_rounds.urlpatterns,
    *urls_sessions.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_actions.urlpatterns,
]
