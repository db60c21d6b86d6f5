from django.urls import path

from . import views, views_sets, views_surveys

app_name = "sti"

SET = "sets/<int:set_id>/"
INDICATOR = SET + "indicators/<int:indicator_id>/"
SURVEY = "surveys/<int:survey_id>/"

urlpatterns = [
    path("", views.STIHomeView.as_view(), name="home"),
    path("settings/", views.STISettingsView.as_view(), name="settings"),
    path("sets/", views.SetListView.as_view(), name="sets"),
    path("sets/new/", views_sets.SetNewView.as_view(), name="set_new"),
    path(SET, views_sets.SetDetailView.as_view(), name="set"),
    path(SET + "sign-off/", views_sets.SetSignOffView.as_view(), name="set_sign_off"),
    path(SET + "discard/", views_sets.SetDiscardView.as_view(), name="set_discard"),
    path(SET + "indicators/new/", views_sets.IndicatorAddView.as_view(), name="indicator_add"),
    path(INDICATOR, views_sets.IndicatorEditView.as_view(), name="indicator_edit"),
    path(INDICATOR + "remove/", views_sets.IndicatorRemoveView.as_view(), name="indicator_remove"),
    path(INDICATOR + "move/", views_sets.IndicatorMoveView.as_view(), name="indicator_move"),
    path("surveys/new/", views_surveys.SurveyNewView.as_view(), name="survey_new"),
    path(SURVEY, views_surveys.SurveyDetailView.as_view(), name="survey"),
    path(
        SURVEY + "open/",
        views_surveys.SurveyTransitionView.as_view(transition="open"),
        name="survey_open",
    ),
    path(
        SURVEY + "close/",
        views_surveys.SurveyTransitionView.as_view(transition="close"),
        name="survey_close",
    ),
    path(SURVEY + "respond/", views_surveys.RespondView.as_view(), name="respond"),
    path(SURVEY + "results/", views_surveys.ResultsView.as_view(), name="results"),
]
