"""Establishment search by FINESS number, name or town: accent- and case-insensitive, through the
trigram index on `search_text` (constant query count whatever the registry size)."""

from .finess import normalise_finess
from .models import Establishment, fold


def search_establishments(user, query: str, *, active_only: bool = True):
    """Establishments visible to `user` matching every word of `query`, in name order (an exact
    FINESS number, with or without spaces, finds that establishment only)."""
    queryset = Establishment.objects.visible_to(user).select_related("department", "region")
    if active_only:
        queryset = queryset.active()
    compact = normalise_finess(query)
    if len(compact) == 9 and compact[:2].isalnum() and compact[2:].isdigit():
        return queryset.filter(finess=compact)  # a FINESS number, typed with or without spaces
    words = fold(query).split()
    if not words:
        return queryset.none()
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset.order_by("short_name", "finess")
