from django.conf import settings


class UserLanguageMiddleware:
    """Puts a signed-in user's chosen language in front of the browser's.

    Runs before LocaleMiddleware, which reads the language cookie we set here for the request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language:
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)
