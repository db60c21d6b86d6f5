from django.urls import path

from . import views

app_name = "sti"

urlpatterns = [
    path("", views.STIHomeView.as_view(), name="home"),
]
