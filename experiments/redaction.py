"""Masking of contact details (e-mail addresses, French phone numbers) in published text.

Every step is linear in the length of the text, whatever its shape: the public library once
froze for 50 s on one 100,000-character token, because the old e-mail pattern
(`[\\w.+-]+@...`) retried its unbounded local part from every position of the token.

- E-mail addresses are found from their "@" with two bounded walks (64 characters to the left,
  a domain of at most 10 labels of 63 characters to the right). "@" is in neither alphabet, so
  each character is visited by at most the walks of the two "@" around it.
- Phone numbers use a pattern whose every repetition is bounded (a match is at most 17
  characters long), so the regular expression engine does a bounded amount of work per position.

`work`, when given, counts the characters examined (by the walks and by the pattern engine):
the tests feed pathological inputs of growing size and check that the count grows linearly.
"""

import re
from dataclasses import dataclass

MASK = "[coordonnées masquées]"
LOCAL_PART_MAX = 64  # RFC 5321
LABEL_MAX = 63  # RFC 1035
LABELS_MAX = 10
# Every repetition bounded: no nested or adjacent unbounded quantifiers (see the module docstring).
PHONE = re.compile(r"(?<!\d)(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")


@dataclass
class Work:
    """Characters examined by one or more redactions."""

    chars: int = 0


def _is_local(char: str) -> bool:
    return char.isalnum() or char in "_.+-"


def _is_label(char: str) -> bool:
    return char.isalnum() or char in "_-"


def _domain_end(text: str, start: int, work: Work) -> int | None:
    """End of the domain `label(.label)+` that starts at `start`, or None. Bounded walk."""
    position, labels, end = start, 0, None
    while labels < LABELS_MAX:
        label_end = position
        while label_end < len(text) and label_end - position < LABEL_MAX:
            work.chars += 1
            if not _is_label(text[label_end]):
                break
            label_end += 1
        if label_end == position:
            break
        labels += 1
        if labels >= 2:
            end = label_end
        if label_end + 1 < len(text) and text[label_end] == ".":
            position = label_end + 1
        else:
            break
    return end


def _email_spans(text: str, work: Work) -> list[tuple[int, int]]:
    spans = []
    floor = 0  # a new address cannot start inside the previous one
    at = text.find("@")
    work.chars += len(text) if at == -1 else at
    while at != -1:
        start = at
        while start > max(floor, at - LOCAL_PART_MAX):
            work.chars += 1
            if not _is_local(text[start - 1]):
                break
            start -= 1
        end = _domain_end(text, at + 1, work) if start < at else None
        if end is not None:
            spans.append((start, end))
            floor = end
        resume = max(at + 1, floor)
        at = text.find("@", resume)
        work.chars += (len(text) if at == -1 else at) - resume  # the scan of str.find
    return spans


def redact_contacts(text: str, work: Work | None = None) -> str:
    """`text` with each e-mail address and French phone number replaced by MASK."""
    work = work if work is not None else Work()
    parts, previous = [], 0
    for start, end in _email_spans(text, work):
        parts += [text[previous:start], MASK]
        previous = end
    parts.append(text[previous:])
    text = "".join(parts)
    work.chars += len(text)  # one pass of the bounded phone pattern
    return PHONE.sub(MASK, text)
