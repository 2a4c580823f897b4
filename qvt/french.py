"""French wording helpers, used by code and, as template filters, by every template
(registered as a template builtin in settings: no {% load %} needed).

    count(0, "cluster")          -> "Aucun cluster"
    count(12, "séance:f")        -> "12 séances"
    count(2, "travail/travaux")  -> "2 travaux"
    de("EHPAD Montjoie")         -> "de l'EHPAD Montjoie"
    de("ESAT Les Ateliers")      -> "d'ESAT Les Ateliers"
    de("CH de Rouen")            -> "du CH de Rouen"
    file_size(10 * 1024 * 1024)  -> "10 Mo"
    percent(0.052)               -> "5,2 %"
    signed(25), signed(-3)       -> "+25", "−3" (a gap between two figures)
"""

from django import template

register = template.Library()

VOWELS = set("aeiouyàâäéèêëîïôöùûüAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜ")
# Leading words said with "le" (so "du"): masculine nouns and acronyms of masculine nouns.
MASCULINE = {"ch", "chu", "chr", "chs", "centre", "foyer", "pôle", "groupe", "groupement", "ssr"}
# Leading words said with "l'" (so "de l'"): the rest that start with a vowel take plain "d'".
WITH_ARTICLE = {"ehpad", "hôpital", "institut", "établissement", "association", "ehpa"}


def _parse(noun: str) -> tuple[str, str, bool]:
    """ "séance:f" -> ("séance", "séances", True); "travail/travaux" -> ("travail", "travaux")."""
    noun, _, gender = noun.partition(":")
    singular, _, plural = noun.partition("/")
    return singular, plural or singular + "s", gender == "f"


def number(value: int) -> str:
    """12345 -> "12 345" (narrow no-break space, as the French typography wants)."""
    return f"{value:,}".replace(",", "\u202f")


@register.filter
def signed(value) -> str:
    """A difference with its sign, French style: "+25", "−3" (minus sign), "0"."""
    value = int(value)
    if value > 0:
        return f"+{number(value)}"
    if value < 0:
        return f"\u2212{number(-value)}"
    return "0"


@register.filter
def count(value, noun: str) -> str:
    """The number and the noun agreeing with it; zero reads "Aucun(e) …" (singular)."""
    singular, plural, feminine = _parse(noun)
    value = int(value or 0)
    if value == 0:
        return f"{'Aucune' if feminine else 'Aucun'} {singular}"
    return f"{number(value)} {singular if value == 1 else plural}"


@register.filter
def de(name) -> str:
    """ "de" before a name, elided or contracted: de l'EHPAD, d'ESAT, du CH, des Tilleuls."""
    name = str(name).strip()
    first = name.split(" ", 1)[0].lower()
    if first in ("le",):
        return f"du {name[3:]}"
    if first in ("les",):
        return f"des {name[4:]}"
    if first in MASCULINE:
        return f"du {name}"
    if first in WITH_ARTICLE:
        return f"de l'{name}"
    if name[:1] in VOWELS:
        return f"d'{name}"
    return f"de {name}"


@register.filter
def file_size(size) -> str:
    """Bytes in French units: "850 octets", "12 ko", "10 Mo", "1,5 Go"."""
    size = int(size or 0)
    for unit, factor in (("Go", 1024**3), ("Mo", 1024**2), ("ko", 1024)):
        if size >= factor:
            value = f"{size / factor:.1f}".removesuffix(".0").replace(".", ",")
            return f"{value} {unit}"
    return f"{size} octet{'s' if size > 1 else ''}"


@register.filter
def percent(share) -> str:
    """A share (0-1) as a French percentage: 0.052 -> "5,2 %", 0.05 -> "5 %"."""
    text = f"{float(share or 0) * 100:.1f}".removesuffix(".0").replace(".", ",")
    return f"{text}\u00a0%"
