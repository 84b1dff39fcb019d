"""Who the client is, and how many failed sign-ins it may make.

The client's address is the connection's, or, behind `TRUSTED_PROXIES` reverse proxies, the
address the outermost of them saw (the n-th from the right of X-Forwarded-For). Without trusted
proxies the header is ignored: anyone can send it, and a random one per request would make
every request a new client to the throttles.

Failed sign-ins (the API's token endpoint and the admin's sign-in page) are counted per address
and per account in fixed windows of `SIGN_IN_WINDOW_SECONDS`; past `SIGN_IN_FAILURES_PER_ADDRESS`
or `SIGN_IN_FAILURES_PER_ACCOUNT` the next attempt gets 429 with Retry-After until the window
ends, without checking the password (each check costs most of a second of CPU on purpose).
The counts live in Django's cache; when Redis is away the cache keeps them in the process
(`config.cache`), so the limit still holds per worker rather than lapsing.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework.throttling import AnonRateThrottle

from config.middleware import plain_page


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind trusted proxies the one they report."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    return hops[-min(proxies, len(hops))]


class AnonymousThrottle(AnonRateThrottle):
    """DRF's anonymous throttle, with the client address taken as above."""

    def get_ident(self, request):
        return client_address(request)


def _keys(request, username: str) -> list[tuple[str, int]]:
    window = int(time.time() // settings.SIGN_IN_WINDOW_SECONDS)
    account = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return [
        (
            f"signin:address:{client_address(request)}:{window}",
            settings.SIGN_IN_FAILURES_PER_ADDRESS,
        ),
        (f"signin:account:{account}:{window}", settings.SIGN_IN_FAILURES_PER_ACCOUNT),
    ]


def sign_in_wait(request, username: str) -> int | None:
    """Seconds until this address or account may try again, or None if it may now."""
    keys = _keys(request, username)
    counts = cache.get_many([key for key, _limit in keys])
    if all(counts.get(key, 0) < limit for key, limit in keys):
        return None
    window = settings.SIGN_IN_WINDOW_SECONDS
    return max(1, int(window - time.time() % window))


def sign_in_failed(request, username: str) -> None:
    """Count one failed sign-in for the address and the account."""
    for key, _limit in _keys(request, username):
        cache.add(key, 0, settings.SIGN_IN_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr: this failure starts the count
            cache.set(key, 1, settings.SIGN_IN_WINDOW_SECONDS)


def admin_login(login_view):
    """The admin's sign-in view behind the same throttle: a refused form (200 with errors) is a
    failure; a redirect is a success."""

    def view(request, *args, **kwargs):
        if request.method != "POST":
            return login_view(request, *args, **kwargs)
        username = str(request.POST.get("username", ""))[:150]
        wait = sign_in_wait(request, username)
        if wait is not None:
            message = _("Too many failed sign-ins. Try again in %(seconds)s seconds.")
            response = plain_page(_("Too many attempts"), message % {"seconds": wait}, 429)
            response["Retry-After"] = str(wait)
            return response
        response = login_view(request, *args, **kwargs)
        if response.status_code == 200:
            sign_in_failed(request, username)
        return response

    return view
