"""A password that contains the user's identifier is refused.

Django's UserAttributeSimilarityValidator compares whole strings: "ars-94ars-94" is only 67 %
similar to "ars-94", under its 70 % threshold, yet anyone who knows the (predictable) username
guesses it. This one refuses any password containing the username or the e-mail's local part,
compared without case, punctuation or spaces."""

from django.core.exceptions import ValidationError

MIN_IDENTIFIER = 3  # shorter identifiers ("jo") would refuse too many good passphrases


def _letters(text: str) -> str:
    return "".join(char for char in text.casefold() if char.isalnum())


class ContainsIdentifierValidator:
    def validate(self, password, user=None):
        if user is None:
            return
        email = getattr(user, "email", "") or ""
        candidates = [getattr(user, "username", "") or "", email.split("@")[0]]
        folded = _letters(password)
        for candidate in map(_letters, candidates):
            if len(candidate) >= MIN_IDENTIFIER and candidate in folded:
                raise ValidationError(
                    "Ce mot de passe contient votre identifiant ou votre adresse électronique.",
                    code="password_contains_identifier",
                )

    def get_help_text(self):
        return (
            "Votre mot de passe ne doit contenir ni votre identifiant ni votre adresse "
            "électronique."
        )
