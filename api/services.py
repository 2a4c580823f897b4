"""Writes on API tokens. Creation and revocation go through save(): django-auditlog records
them with the request's user as actor."""

import datetime
import secrets

from django.utils import timezone

from .models import TOKEN_PREFIX, ApiToken, hash_token

VALIDITY_DAYS = (30, 90, 365)


def token_create(*, user, name: str, valid_days: int) -> tuple[ApiToken, str]:
    """A new token and its secret value: the caller shows it once; only its hash is kept."""
    if valid_days not in VALIDITY_DAYS:
        raise ValueError(f"validity must be one of {VALIDITY_DAYS} days")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 4],
        token_hash=hash_token(raw),
        expires_at=timezone.now() + datetime.timedelta(days=valid_days),
    )
    return token, raw


def token_revoke(*, token: ApiToken) -> None:
    """Revoke once: a second revocation keeps the first date."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def token_record_use(*, token: ApiToken) -> None:
    """Count the call and date it, in one UPDATE that races with no other call (F expression);
    an update() so that django-auditlog does not log every call."""
    from django.db.models import F

    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now(), call_count=F("call_count") + 1
    )
