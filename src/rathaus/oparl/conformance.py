"""Checking OParl objects against the published OParl 1.1 schemas (vendored in `schema/`).

Used by the monitor to rate a council information system (our own or another town's) and
by the tests of our OParl server.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMA_DIR = Path(__file__).parent / "schema"
SCHEMA = "https://schema.oparl.org/1.1/"


class OParlValidator:
    """Validates an object by its `type` against the OParl 1.1 schemas.

    The schemas name each other by `$id` (https://schema.oparl.org/1.1/File) and by relative
    file name ("File.json", resolved against the `$id`), so both are registered.
    """

    def __init__(self) -> None:
        resources = []
        self.schemas: dict[str, dict[str, Any]] = {}
        for path in sorted(SCHEMA_DIR.glob("*.json")):
            schema = json.loads(path.read_text(encoding="utf-8"))
            resource = Resource.from_contents(schema, default_specification=DRAFT7)
            resources += [(schema["$id"], resource), (SCHEMA + path.name, resource)]
            self.schemas[schema["$id"]] = schema
        registry: Registry[Any] = Registry().with_resources(resources)
        self.validators = {
            schema_id: Draft7Validator(
                schema, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER
            )
            for schema_id, schema in self.schemas.items()
        }

    def errors(self, obj: dict[str, Any]) -> list[str]:
        """Schema violations of one object, each naming the object and the path inside it."""
        validator = self.validators.get(str(obj.get("type", "")))
        if validator is None:
            return [f"unknown type {obj.get('type')!r} of {obj.get('id')}"]
        return [
            f"{obj.get('id')}: {'/'.join(map(str, e.absolute_path)) or '(object)'}: {e.message}"
            for e in validator.iter_errors(obj)
        ]


@cache
def validator() -> OParlValidator:
    return OParlValidator()
