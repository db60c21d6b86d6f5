from django.db import transaction

from .models import User


@transaction.atomic
def user_update_profile(*, user: User, full_name: str, phone: str, language: str) -> User:
    user.full_name = full_name.strip()
    user.phone = phone.strip()
    user.language = language
    user.save(update_fields=["full_name", "phone", "language"])
    return user
