"""What a process remembers of the Bearer tokens it checked, and when it must forget it.

An integration that calls every second would otherwise pay a query per call to learn what it
learnt a second ago. A process keeps the row of each token it checked (the token, its user and
the columns a subclass adds, such as the MFA policy) for at most MEMORY_SECONDS and for at most
MAX_TOKENS tokens, and trusts a row only while nothing that decides authentication has changed
since it was read.

What decides it: the token, its user, and what the extra columns read (the user's memberships
and authenticators, an organisation's MFA policy). Whatever changes one of them calls
`changed(user_id)`, or `changed()` when it concerns everyone; model signals do (accounts/apps.py,
partnership/apps.py). That forgets the rows in this process at once and counts up a version in
the shared cache (Redis) for that user (or for everyone), now and again when the transaction
commits. Every request reads the two versions of its token's user (one round trip, shared with
the throttle's count where a subclass can: partnership/mfa.py), and a row is trusted only if it
was read from the database after the same versions were seen. So a revoked token, a disabled
account or a new MFA requirement refuses the very next request in every worker on every node,
with no clock to agree on. Only a cache that lost its keys (Redis restarted empty) can leave a
row trusted, for MEMORY_SECONDS at most.

The versions are keyed by user, and a token's user is known only once its row was read: a
token's first use reads the row and learns the user, its second reads the versions and then
the row, and from the third on a request costs no query while nothing changes.
"""

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from django.core.cache import caches
from django.db import transaction

MEMORY_SECONDS = 60
MAX_TOKENS = 1024
EVERYONE = "*"

logger = logging.getLogger(__name__)


@dataclass
class Remembered:
    user_id: object
    remembered_at: float
    versions: tuple | None = None  # seen before `rows` were read; None: only the user is known
    rows: list | None = None
    last_used: object = None  # the token's last use as this process knows it


_remembered: OrderedDict = OrderedDict()
_lock = Lock()


def version_keys(user_id) -> list[str]:
    """The cache keys of the versions that decide whether a row of `user_id` is still good."""
    return [f"auth-version:{user_id}", f"auth-version:{EVERYONE}"]


def versions(values) -> tuple:
    """The values read for `version_keys`, alike however they were read (an int the cache
    stored reads as its digits from a script)."""
    return tuple(None if value is None else int(value) for value in values)


def read_versions(user_id) -> tuple:
    keys = version_keys(user_id)
    found = caches["default"].get_many(keys)
    return versions(found.get(key) for key in keys)


def recall(key_hash: str) -> Remembered | None:
    """What this process remembers of the token, if it is younger than MEMORY_SECONDS."""
    found = _remembered.get(key_hash)
    if found is not None and time.monotonic() - found.remembered_at > MEMORY_SECONDS:
        with _lock:
            _remembered.pop(key_hash, None)
        return None
    return found


def remember(key_hash: str, entry: Remembered) -> None:
    with _lock:
        _remembered[key_hash] = entry
        _remembered.move_to_end(key_hash)
        while len(_remembered) > MAX_TOKENS:
            _remembered.popitem(last=False)


def changed(user_id=None) -> None:
    """Something that decides the authentication of `user_id` (of everyone: None) changed:
    forget it here, and tell every process, now and when the change commits."""
    forget(user_id)
    _count_up(user_id)
    transaction.on_commit(lambda: _count_up(user_id))


def forget(user_id=None) -> None:
    """Forget the tokens of `user_id` (every token: None) in this process."""
    with _lock:
        if user_id is None:
            _remembered.clear()
            return
        for key_hash in [k for k, e in _remembered.items() if e.user_id == user_id]:
            del _remembered[key_hash]


def _count_up(user_id) -> None:
    cache = caches["default"]
    key = version_keys(user_id)[0] if user_id is not None else version_keys(EVERYONE)[1]
    try:
        try:
            cache.incr(key)
        except ValueError:  # the first change: any number differs from none
            cache.set(key, 1, None)
    except Exception:  # the change itself stands; other processes forget within MEMORY_SECONDS
        logger.exception("Could not tell other processes that %s changed", key)


def connect_signals() -> None:
    """The changes to a token and its user (accounts/apps.py); what a subclass's columns read
    connects its own (partnership/apps.py)."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save

    from .models import ApiToken

    def on_token(sender, instance, **kwargs):
        changed(instance.user_id)

    def on_user(sender, instance, **kwargs):
        changed(instance.pk)

    for signal in (post_save, post_delete):
        signal.connect(on_token, sender=ApiToken, weak=False, dispatch_uid=f"tokens.{signal}")
        signal.connect(
            on_user, sender=get_user_model(), weak=False, dispatch_uid=f"token-users.{signal}"
        )
