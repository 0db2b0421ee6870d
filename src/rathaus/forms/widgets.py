"""Fields bound to their answer, error and help, ready for `forms/_field.html`.

The citizen's step pages and the editor's preview render fields the same way; the preview
gives its ids a prefix so they cannot clash with the editor's own form.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rathaus.core.errors import Problem
from rathaus.forms import engine
from rathaus.forms.models import Upload

FILE_TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/tiff": "TIFF",
    "image/heic": "HEIC",
    "text/plain": "TXT",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
}


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    id: str
    checked: bool


@dataclass
class FieldView:
    field: engine.Field
    value: Any = None
    error: str = ""
    note: str = ""
    prefix: str = ""
    uploads: list[Upload] = dataclasses.field(default_factory=list)

    @property
    def id(self) -> str:
        return self.prefix + self.field.html_id

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def target_id(self) -> str:
        """Where the error summary's link lands: the first radio button or checkbox of a group."""
        options = self.options
        return options[0].id if self.field.is_group and options else self.id

    @property
    def help_id(self) -> str:
        # File fields always explain the types and size they take.
        return f"{self.id}-hilfe" if self.field.help or self.field.widget == "file" else ""

    @property
    def error_id(self) -> str:
        return f"{self.id}-fehler" if self.error else ""

    @property
    def note_id(self) -> str:
        return f"{self.id}-hinweis" if self.note else ""

    @property
    def describedby(self) -> str:
        return " ".join(i for i in (self.error_id, self.note_id, self.help_id) if i)

    @property
    def text(self) -> str:
        if self.value is None or isinstance(self.value, (list, dict)):
            return ""
        if isinstance(self.value, bool):
            return ""
        return str(self.value)

    @property
    def checked(self) -> bool:
        return self.value is True

    @property
    def options(self) -> list[Option]:
        chosen = self.value if isinstance(self.value, list) else [self.value]
        return [
            Option(
                key=choice.key,
                label=choice.label,
                id=f"{self.id}-{index}",
                checked=any(engine._same(choice.value, c) for c in chosen),
            )
            for index, choice in enumerate(self.field.choices, start=1)
        ]

    @property
    def input_type(self) -> str:
        return {"email": "email", "date": "date"}.get(self.field.widget, "text")

    @property
    def inputmode(self) -> str:
        if self.field.widget != "number":
            return ""
        return "numeric" if self.field.json_type == "integer" else "decimal"

    @property
    def accept(self) -> str:
        return ",".join(self.field.accept)

    @property
    def file_types(self) -> str:
        """ "PDF, JPEG, PNG" for people; the MIME types stay in `accept` for the browser."""
        names = [FILE_TYPE_NAMES.get(t, t.split("/")[-1].upper()) for t in self.field.accept]
        return ", ".join(dict.fromkeys(names))

    @property
    def max_length(self) -> int | None:
        value = self.field.schema.get("maxLength")
        return value if isinstance(value, int) else None


def bind(
    fields: Sequence[engine.Field],
    data: Mapping[str, Any],
    problems: Iterable[Problem] = (),
    *,
    all_fields: Mapping[str, engine.Field] | None = None,
    uploads: Iterable[Upload] = (),
    prefix: str = "",
) -> list[FieldView]:
    errors: dict[str, str] = {}
    for problem in problems:
        if problem.field and problem.field not in errors:
            errors[problem.field] = problem.message
    own = {f.name for f in fields}
    known = all_fields or {f.name: f for f in fields}
    by_field: dict[str, list[Upload]] = {}
    for upload in uploads:
        by_field.setdefault(upload.field, []).append(upload)
    views = []
    for f in fields:
        depends_on = f.show_if.get("field") if f.show_if else None
        views.append(
            FieldView(
                field=f,
                value=data.get(f.name),
                error=errors.get(f.name, ""),
                # Only a condition on the same page needs saying; others were decided already.
                note=engine.condition_note(f, known) if depends_on in own else "",
                prefix=prefix,
                uploads=by_field.get(f.name, []),
            )
        )
    return views
