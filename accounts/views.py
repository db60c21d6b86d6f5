from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .forms import ApiTokenCreateForm, ProfileForm
from .services import api_token_create, api_token_revoke, user_update_profile


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            # partnership.views.nothing_changed's rule; accounts sits below partnership.
            messages.info(request, _("Nothing changed."))
            return redirect("accounts:profile")
        user = user_update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, _("Profile saved."))
        response = redirect("accounts:profile")
        if user.language:
            translation.activate(user.language)
            response.set_cookie("django_language", user.language, samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {"form": form})


def set_language(request):
    """Header language switch: remembered in a cookie, and on the profile when signed in."""
    from django.conf import settings
    from django.http import HttpResponseNotAllowed
    from django.utils.http import url_has_allowed_host_and_scheme

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@login_required
@never_cache
def tokens(request):
    """The user's API tokens; creating one shows its plain key on this response only."""
    form = ApiTokenCreateForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        try:
            token, new_key = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=timezone.now() + timedelta(days=days) if days else None,
                never_expires=form.cleaned_data["never_expires"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Token “%(name)s” created.") % {"name": token.name})
            form = ApiTokenCreateForm()
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": request.user.api_tokens.all(), "form": form, "new_key": new_key},
    )


@login_required
def token_revoke(request, token_id: int):
    # Look the token up before checking the method: another user's token id is a 404, whatever
    # the method, so the answer never tells that the id exists.
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    api_token_revoke(user=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
