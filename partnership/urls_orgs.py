from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

app_name = "orgs"


@login_required
def _placeholder(request):
    return render(request, "base.html")


urlpatterns = [path("", _placeholder, name="list"), path("new/", _placeholder, name="create")]
