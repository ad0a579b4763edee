"""Log formats for the LOGGING setting (no Django needed)."""

from typing import Any

TEXT_FORMAT = "{asctime} {levelname} {name}: {message}"


def logging_formatters(kind: str) -> dict[str, dict[str, Any]]:
    """The ``default`` formatter: one JSON object a line for ``json``, readable text otherwise.

    JSON lines carry the time, level, logger and message, plus any ``extra`` a call passes
    (the request log adds method, route, status and duration), so a collector can filter on
    fields instead of parsing text.
    """
    if kind.strip().lower() == "json":
        return {
            "default": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": ["levelname", "name", "message"],
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": True,
            }
        }
    return {"default": {"format": TEXT_FORMAT, "style": "{"}}
