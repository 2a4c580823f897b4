"""The secret address of a user's calendar feed: create (or regenerate), revoke, look up.

The address carries a random secret; only its SHA-256 digest is stored (`token_digest`), so the
address is shown once, when created. The feed itself (the sessions) is built by the web layer.
"""

import secrets

from django.db import transaction
from django.utils import timezone

from .models import CalendarFeedToken, token_digest


@transaction.atomic
def feed_token_create(*, user) -> str:
    """A new secret for `user`'s feed; the previous address, if any, stops working."""
    CalendarFeedToken.objects.filter(user=user).delete()
    token = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.create(user=user, token_hash=token_digest(token))
    return token


def feed_token_revoke(*, user) -> bool:
    """Delete `user`'s feed address; True when there was one."""
    deleted, _ = CalendarFeedToken.objects.filter(user=user).delete()
    return bool(deleted)


def feed_owner(token: str):
    """The active user whose feed address carries `token`, or None."""
    if not token:
        return None
    feed = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=token_digest(token), user__is_active=True)
        .first()
    )
    if feed is None:
        return None
    # last_used_at is not audited (a reading is no change): a plain UPDATE.
    CalendarFeedToken.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user
