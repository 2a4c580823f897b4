"""`Authorization: Bearer qvt_…`: the token's user, with that user's roles and regions."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken, hash_token
from .services import token_record_use

KEYWORD = "Bearer"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode().lower() != KEYWORD.lower():
            return None  # no token: the next authentication (session) may apply
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("En-tête Authorization mal formé.")
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Jeton invalide.") from None
        token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
        # One message for every refusal: an unknown, a revoked and an expired token look alike.
        if (
            token is None
            or token.revoked_at is not None
            or token.expires_at <= timezone.now()
            or not token.user.is_active
        ):
            raise exceptions.AuthenticationFailed("Jeton invalide, révoqué ou expiré.")
        token_record_use(token=token)
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to a request without valid credentials.
        return KEYWORD
