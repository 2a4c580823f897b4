"""Forms of the facilitators' pages: session, attendance grid, attachment, phase change."""

import zipfile

from django import forms
from django.conf import settings

from core.forms import CachedRenderingMixin
from crispy_dsfr.helper import DsfrFormHelper
from crispy_dsfr.layout import Fieldset
from qvt.french import file_size
from qvt.uploads import zip_bomb_refusal

from .models import (
    LONG_TEXT_MAX,
    ParticipantRole,
    Phase,
    Session,
    SessionAttachment,
    SessionTool,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class SessionForm(CachedRenderingMixin, forms.ModelForm):
    tools = forms.ModelMultipleChoiceField(
        label="Outils utilisés",
        queryset=SessionTool.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Session
        fields = [
            "held_on",
            "starts_at",
            "ends_at",
            "kind",
            "format",
            "place",
            "agenda",
            "tools",
            "other_tools",
            "key_points",
            "decisions",
            "next_steps",
            "is_confidential",
        ]
        widgets = {
            "held_on": DateInput(),
            "starts_at": TimeInput(),
            "ends_at": TimeInput(),
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "key_points": forms.Textarea(attrs={"rows": 5}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "other_tools": "Outils absents de la liste, séparés par des virgules.",
            "starts_at": "Heure de Paris, reprise dans les convocations et les agendas.",
        }
        error_messages = {"held_on": {"required": "Indiquez la date de la séance."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Retired tools are no longer offered, but a session keeps those it used.
        tools = SessionTool.objects.filter(retired=False)
        if self.instance.pk:
            tools = tools | SessionTool.objects.filter(session=self.instance)
        self.fields["tools"].queryset = tools.distinct().order_by("name")
        # Hours left empty keep the session's (09:30–17:00 for a new one).
        self.fields["starts_at"].required = False
        self.fields["ends_at"].required = False
        # The session's own fields form one group; the attendance grid follows on the page.
        self.helper = DsfrFormHelper(Fieldset("La séance", *self.fields))

    def clean_starts_at(self):
        return self.cleaned_data["starts_at"] or self.instance.starts_at

    def clean_ends_at(self):
        return self.cleaned_data["ends_at"] or self.instance.ends_at


class AttendanceForm(forms.Form):
    """One number field per (active member, role): `m<membership id>-<role>`."""

    MAX_COUNT = 99

    def __init__(self, *args, memberships, initial_counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = list(memberships)
        initial_counts = initial_counts or {}
        for membership in self.memberships:
            for role, label in ParticipantRole.choices:
                self.fields[self.field_name(membership.pk, role)] = forms.IntegerField(
                    label=f"{label} — {membership.establishment.short_name}",
                    min_value=0,
                    max_value=self.MAX_COUNT,
                    required=False,
                    initial=initial_counts.get((membership.pk, role), 0),
                    error_messages={
                        "min_value": "Le nombre de présents ne peut pas être négatif.",
                        "max_value": "99 présents au plus par rôle.",
                        "invalid": "Saisissez un nombre entier.",
                    },
                    widget=forms.NumberInput(attrs={"class": "fr-input", "inputmode": "numeric"}),
                )

    @staticmethod
    def field_name(membership_id, role) -> str:
        return f"m{membership_id}-{role}"

    def counts(self) -> dict[tuple[int, str], int]:
        return {
            (membership.pk, role): self.cleaned_data.get(self.field_name(membership.pk, role)) or 0
            for membership in self.memberships
            for role in ParticipantRole.values
        }

    def grid(self) -> dict:
        """Rows for the template (the member, its cells in role order, the row total) and the
        column totals, from what is displayed (what the user typed, or the saved counts).

        A cell is a plain dict that the template writes as an <input>: up to 48 cells, each
        through the form renderer's widget templates, made the page's main cost."""
        rows = []
        for membership in self.memberships:
            fields = [self[self.field_name(membership.pk, role)] for role in ParticipantRole]
            cells = [_cell(field) for field in fields]
            counts = [_as_count(cell["value"]) for cell in cells]
            rows.append({"membership": membership, "cells": cells, "counts": counts})
        columns = [sum(row["counts"][i] for row in rows) for i in range(len(ParticipantRole))]
        for row in rows:
            row["total"] = sum(row["counts"])
        return {"rows": rows, "columns": columns, "total": sum(columns), "max": self.MAX_COUNT}


def _cell(field) -> dict:
    value = field.value()
    return {
        "name": field.html_name,
        "id": field.auto_id,
        "label": field.label,
        "value": "" if value is None else value,
        "errors": field.errors,
    }


def _as_count(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


# (content type, label) of each accepted kind of file, detected from the content.
PDF = ("application/pdf", "PDF")
OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PPTX"),
}
ODF = {
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.oasis.opendocument.presentation": "ODP",
}
IMAGES = [
    (b"\x89PNG\r\n\x1a\n", ("image/png", "PNG")),
    (b"\xff\xd8\xff", ("image/jpeg", "JPEG")),
    (b"GIF87a", ("image/gif", "GIF")),
    (b"GIF89a", ("image/gif", "GIF")),
]
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The extension a download gets, from the detected type (never the uploader's: "page.html" whose
# content starts with "%PDF-" is sent as ".pdf").
EXTENSIONS = {
    PDF[0]: ".pdf",
    **{kind[0]: "." + kind[1].lower() for kind in OOXML.values()},
    **{mimetype: "." + label.lower() for mimetype, label in ODF.items()},
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
OLE2_EXTENSIONS = (".doc", ".xls", ".ppt")  # the legacy formats share one container


def download_name(original_name: str, content_type: str) -> str:
    """The uploader's file name with the extension of the detected type."""
    stem, dot, extension = original_name.rpartition(".")
    stem = (stem if dot else original_name).strip() or "piece-jointe"
    if content_type in EXTENSIONS:
        return stem + EXTENSIONS[content_type]
    extension = "." + extension.lower()
    return stem + (extension if dot and extension in OLE2_EXTENSIONS else ".doc")


def detect_file_type(file) -> tuple[str, str] | None:
    """(content type, label) of an accepted file, judged by its bytes (never by its name), or
    None. Accepted: PDF, Office documents (OOXML, OpenDocument, legacy OLE2), PNG, JPEG, GIF,
    WebP."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    for magic, kind in IMAGES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ("image/webp", "WebP")
    if head.startswith(OLE2):
        return ("application/vnd.ms-office", "Office (ancien format)")
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip_document(file)
    return None


def _detect_zip_document(file) -> tuple[str, str] | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as member:  # read a few bytes only: no zip bomb
                    mimetype = member.read(100).decode("ascii", "replace").strip()
                return (mimetype, ODF[mimetype]) if mimetype in ODF else None
            if "[Content_Types].xml" in names:
                for folder, kind in OOXML.items():
                    if any(name.startswith(folder) for name in names):
                        return kind
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        file.seek(0)
    return None


class AttachmentForm(forms.ModelForm):
    upload = forms.FileField(
        label="Fichier",
        help_text=(
            "PDF, document bureautique (Word, Excel, PowerPoint, LibreOffice) ou image (PNG, "
            f"JPEG, GIF, WebP), {file_size(settings.MAX_UPLOAD_SIZE)} au plus."
        ),
        error_messages={"required": "Choisissez un fichier."},
    )

    class Meta:
        model = SessionAttachment
        fields = ["kind"]

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > settings.MAX_UPLOAD_SIZE:
            raise forms.ValidationError(
                f"Le fichier dépasse la taille maximale ({file_size(settings.MAX_UPLOAD_SIZE)})."
            )
        kind = detect_file_type(upload)
        if kind is None:
            raise forms.ValidationError(
                "Ce type de fichier n'est pas accepté : seuls les PDF, documents bureautiques "
                "et images sont acceptés (le contenu du fichier a été vérifié, pas son nom)."
            )
        if upload.read(4) == b"PK\x03\x04" and (refusal := zip_bomb_refusal(upload)):
            raise forms.ValidationError(refusal)
        upload.seek(0)
        self.content_type = kind[0]
        return upload


class PhaseChangeForm(forms.Form):
    phase = forms.ChoiceField(label="Nouvelle phase", choices=Phase.choices)
    changed_on = forms.DateField(
        label="Date du changement",
        widget=DateInput(),
        error_messages={"required": "Indiquez la date du changement."},
    )
    comment = forms.CharField(
        label="Commentaire",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=LONG_TEXT_MAX,
    )

    def ask_confirmation(self) -> None:
        """Add the box that confirms a jump of more than one phase (services.phase_jump)."""
        self.fields["confirm"] = forms.BooleanField(
            label="Je confirme ce changement de plusieurs phases", required=False
        )
