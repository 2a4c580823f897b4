"""FINESS numbers: 9 characters, `[0-9][0-9AB][0-9]{7}`; the last digit is a Luhn check key on
all-digit numbers (Corsican numbers, with 2A/2B, are checked for format only)."""

import re

from django.core.exceptions import ValidationError

FINESS_PATTERN = r"[0-9][0-9AB][0-9]{7}"
_FINESS_RE = re.compile(rf"^{FINESS_PATTERN}$")


def normalise_finess(value: str) -> str:
    """'75 091 4176' or ' 2a1234567 ' -> the canonical 9-character form."""
    return re.sub(r"\s+", "", value or "").upper()


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def finess_error(value: str) -> str | None:
    """The French reason a FINESS number is invalid, or None when it is valid."""
    if not value:
        return "Le numéro FINESS est vide."
    if not _FINESS_RE.match(value):
        return f"« {value} » n'est pas un numéro FINESS (9 caractères : chiffres, 2A ou 2B)."
    if value.isdigit() and not luhn_valid(value):
        return f"La clé de contrôle du numéro FINESS {value} est fausse."
    return None


def validate_finess(value: str) -> None:
    error = finess_error(value)
    if error:
        raise ValidationError(error, code="invalid_finess")


def with_luhn_key(first_eight: str) -> str:
    """Complete eight digits with their Luhn key (for generated, fictional numbers)."""
    for key in "0123456789":
        if luhn_valid(first_eight + key):
            return first_eight + key
    raise AssertionError("unreachable: one key always fits")
