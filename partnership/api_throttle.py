"""The API's per-user rate limit, in one Redis round trip.

DRF's `UserRateThrottle` keeps a list of timestamps per user in the cache: a get and a set on
every request, and two requests at once both read the same list (one of them is not counted).
This one counts the requests of a fixed window per user inside Redis, with a small Lua script
(`INCR`, and the window's expiry on its first request) that runs atomically in one round trip.
Past the rate, DRF answers 429 with `Retry-After`: the seconds until the window ends. The rate
stays DRF's `DEFAULT_THROTTLE_RATES["user"]` (the API_THROTTLE_RATE setting).

The same round trip can read other keys: the Bearer authentication reads the versions that tell
whether the token it remembers is still good (`count_and_read`, partnership/mfa.py), and the
throttle then uses the count it left on the request instead of asking again.

Without Redis (the embedded run's file cache) the window is counted with the cache's `add` and
`incr`: two or three round trips, and no server to keep busy.
"""

import time
import weakref

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling

# KEYS[1]: the window's counter, KEYS[2…]: keys to read as well; ARGV[1]: the window in
# milliseconds. Returns {count, ms left, the value of each key read (nil where there is none)}.
WINDOW_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
local answer = {count, left}
for i = 2, #KEYS do
  answer[#answer + 1] = redis.call('GET', KEYS[i])
end
return answer
"""

# Django's cache client -> a redis client on its writing pool and the registered script (whose
# SHA is sent, not its text). Django builds a new redis client for every cache call; one is
# enough.
_scripts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _count_in_redis(cache: RedisCache, key: str, window_seconds: int) -> tuple[int, float]:
    count, left, _values = _run_script(cache, key, window_seconds, ())
    return count, left


def _run_script(cache: RedisCache, key: str, window_seconds: int, read) -> tuple:
    found = _scripts.get(cache._cache)
    if found is None:
        client = cache._cache.get_client(key, write=True)
        found = _scripts[cache._cache] = (client, client.register_script(WINDOW_SCRIPT))
    client, script = found
    keys = [cache.make_and_validate_key(k) for k in (key, *read)]
    count, left_ms, *values = script(keys=keys, args=[window_seconds * 1000], client=client)
    return int(count), int(left_ms) / 1000, values


def count_and_read(request, ident, read: list[str]) -> list | None:
    """Count this request in `ident`'s window of the view's rate and read the cache keys
    `read`, in one round trip, before the request knows its user (during authentication). The
    count is left on the request for `UserRateThrottle.allow_request`. Returns the values read
    (raw: an int the cache stored reads as its digits), or None when the view has no such rate
    or the cache is not Redis; the caller reads the keys itself then."""
    cache = caches["default"]
    view = (getattr(request, "parser_context", None) or {}).get("view")
    if view is None or not isinstance(cache, RedisCache):
        return None
    throttle = next((t() for t in view.throttle_classes if issubclass(t, UserRateThrottle)), None)
    if throttle is None or throttle.rate is None:
        return None
    key = throttle.cache_format % {"scope": throttle.scope, "ident": ident}
    count, left, values = _run_script(cache, key, throttle.duration, read)
    request._window_counted = (key, count, left)
    return values


def _count_in_cache(cache, key: str, window_seconds: int) -> tuple[int, float]:
    now = time.time()
    ends = cache.get_or_set(f"{key}:ends", now + window_seconds, window_seconds)
    cache.add(key, 0, window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        count = 1
    return count, max(0.0, ends - now)


class UserRateThrottle(throttling.UserRateThrottle):
    """DRF's per-user (per-address when anonymous) rate, counted in one Redis round trip."""

    # Not DRF's key: the counter must never meet one of DRF's lists left by an earlier release.
    cache_format = "throttle-window:%(scope)s:%(ident)s"

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        counted = getattr(request, "_window_counted", None)
        if counted is not None and counted[0] == key:  # counted during authentication
            _key, count, self.seconds_left = counted
        else:
            cache = caches["default"]
            counter = _count_in_redis if isinstance(cache, RedisCache) else _count_in_cache
            count, self.seconds_left = counter(cache, key, self.duration)
        return count <= self.num_requests

    def wait(self):
        return self.seconds_left
