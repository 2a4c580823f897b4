"""One reusable test client. Building a Client loads the middleware again, WhiteNoise's scan of
every static file included (seconds on this machine): tests share one and clear its cookies."""

from django.test import Client

_client = None


def fresh_client() -> Client:
    """The shared client, signed out (no cookie): as good as a new one."""
    global _client
    if _client is None:
        _client = Client()
    _client.cookies.clear()
    return _client
