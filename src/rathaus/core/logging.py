"""Structured logs: one JSON object per line in production, readable key=value in development."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import structlog


class StructuredFormatter(structlog.stdlib.ProcessorFormatter):
    def __init__(self, renderer: str = "json", **kwargs: Any) -> None:
        final: Any = (
            structlog.processors.JSONRenderer(ensure_ascii=False)
            if renderer == "json"
            else structlog.dev.ConsoleRenderer(colors=False)
        )
        super().__init__(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, final],
            foreign_pre_chain=[
                structlog.contextvars.merge_contextvars,
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.processors.format_exc_info,
                _extra_fields,
            ],
            **kwargs,
        )


_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def _extra_fields(
    logger: Any, name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Carry `extra={...}` of standard-library log calls into the structured event."""
    record: logging.LogRecord | None = event.get("_record")
    if record is not None:
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                event.setdefault(key, value)
    return event


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)
