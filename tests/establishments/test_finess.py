import pytest
from django.core.exceptions import ValidationError

from establishments.finess import finess_error, normalise_finess, validate_finess, with_luhn_key


@pytest.mark.parametrize(
    "number",
    ["752914176", "845428341", "971565080", "2A6812415", "2B3038836", with_luhn_key("01000001")],
)
def test_well_formed_numbers_are_accepted(number):
    validate_finess(number)


def test_a_wrong_check_key_is_refused():
    assert "clé de contrôle" in finess_error("752914177")


@pytest.mark.parametrize(
    "number", ["75291417", "7529141760", "7C2914176", "75291417X", "2C1234567"]
)
def test_badly_formed_numbers_are_refused(number):
    with pytest.raises(ValidationError):
        validate_finess(number)


def test_corsican_numbers_are_checked_for_format_only():
    # 2A/2B numbers have letters: no Luhn key applies, any last digit is accepted.
    assert finess_error("2A0000000") is None
    assert finess_error("2A0000001") is None


def test_empty_number_is_refused_with_a_french_reason():
    assert finess_error("") == "Le numéro FINESS est vide."


def test_numbers_are_normalised_before_checking():
    assert normalise_finess(" 75 291 4176 ") == "752914176"
    assert normalise_finess("2a6812415") == "2A6812415"


@pytest.mark.django_db
def test_the_database_refuses_a_badly_formed_number():
    from django.db import IntegrityError

    from tests.factories import EstablishmentFactory

    with pytest.raises(IntegrityError):
        EstablishmentFactory(finess="12345")
