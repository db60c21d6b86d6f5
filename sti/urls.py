from django.urls import path

from .views import home, sets, surveys

app_name = "sti"

SET = "sets/<int:set_id>/"
INDICATOR = SET + "indicators/<int:indicator_id>/"
SURVEY = "surveys/<int:survey_id>/"

urlpatterns = [
    path("", home.STIHomeView.as_view(), name="home"),
    path("settings/", home.STISettingsView.as_view(), name="settings"),
    path("sets/", home.SetListView.as_view(), name="sets"),
    path("sets/new/", sets.SetNewView.as_view(), name="set_new"),
    path(SET, sets.SetDetailView.as_view(), name="set"),
    path(SET + "sign-off/", sets.SetSignOffView.as_view(), name="set_sign_off"),
    path(SET + "discard/", sets.SetDiscardView.as_view(), name="set_discard"),
    path(SET + "indicators/new/", sets.IndicatorAddView.as_view(), name="indicator_add"),
    path(INDICATOR, sets.IndicatorEditView.as_view(), name="indicator_edit"),
    path(INDICATOR + "remove/", sets.IndicatorRemoveView.as_view(), name="indicator_remove"),
    path(INDICATOR + "move/", sets.IndicatorMoveView.as_view(), name="indicator_move"),
    path("surveys/new/", surveys.SurveyNewView.as_view(), name="survey_new"),
    path(SURVEY, surveys.SurveyDetailView.as_view(), name="survey"),
    path(
        SURVEY + "open/",
        surveys.SurveyTransitionView.as_view(transition="open"),
        name="survey_open",
    ),
    path(
        SURVEY + "close/",
        surveys.SurveyTransitionView.as_view(transition="close"),
        name="survey_close",
    ),
    path(SURVEY + "respond/", surveys.RespondView.as_view(), name="respond"),
    path(SURVEY + "results/", surveys.ResultsView.as_view(), name="results"),
]
