from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Sends people back to a pending invitation after they sign up or log in."""

    def get_login_redirect_url(self, request):
        pending = request.session.get("pending_invitation")
        if pending:
            return f"/invitations/{pending}/"
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return self.get_login_redirect_url(request)

    def save_user(self, request, user, form, commit=True):
        """Keep the language the person signed up in, so e-mails and notifications reach them
        in it."""
        user = super().save_user(request, user, form, commit=False)
        language = getattr(request, "LANGUAGE_CODE", "")
        if language in dict(settings.LANGUAGES):
            user.language = language
        if commit:
            user.save()
        return user

    def is_open_for_signup(self, request):
        return getattr(settings, "ACCOUNT_ALLOW_SIGNUP", True)
