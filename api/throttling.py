"""Rate limits, their counters in the cache (CACHE_URL: shared by every web process when it
points at Redis). Over the limit DRF answers 429 with Retry-After."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Per token for token calls; per user for session calls (the pages' own user)."""

    scope = "token"

    def get_rate(self):
        return settings.API_RATE_LIMIT  # read at each call so that tests and operators can set it

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": f"user-{request.user.pk}"}
        return None  # anonymous calls: see OpenDataRateThrottle


class OpenDataRateThrottle(SimpleRateThrottle):
    """Open data without login: per client address."""

    scope = "open"

    def get_rate(self):
        return settings.API_OPEN_RATE_LIMIT

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None  # counted by TokenRateThrottle
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
