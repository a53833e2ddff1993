"""JSON-lines logging with no person data: a redacting filter and a formatter for every handler.

Our own log calls pass only ids of the service (request id, key id, audit id) and outcomes.
The filter is the safety net for everything else (libraries, tracebacks): it drops
person-identifying attributes, blanks pydantic's ``input_value=...`` echoes and known
person fields in messages, and the formatter writes an exception as its type and frames only,
never its message (a pydantic error's message repeats the request's values).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import Any, Final, TextIO

# Fields of the request models and forms that identify a person or hold free text.
PERSON_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "victim_id",
        "perpetrator_id",
        "person_id",
        "officer_id",
        "incident_id",
        "assessment_id",
        "event_id",
        "area",
        "reason",
        "api_key",
        "input",
        "input_value",
        "body",
        "ctx",
    }
)
REDACTED: Final[str] = "[redacted]"
# pydantic prints offending values as ``input_value=...,`` (up to ``input_type=``) or at line end.
_INPUT_VALUE = re.compile(r"input_value=.*?(?=, input_type=|\]$|$)", re.MULTILINE)
_NAMES = "|".join(sorted(PERSON_FIELDS))
_VALUE = r"""(?P<value>'[^']*'|"[^"]*"|[^\s,}\]]+)"""
_FIELD_VALUE = re.compile(r"""(?P<key>\b['"]?(?:""" + _NAMES + r""")['"]?\s*[:=]\s*)""" + _VALUE)
_SCRUBBED: Final[str] = "_scrubbed"  # set by the filter on each record it has cleaned
# attributes every LogRecord has; anything else was passed with ``extra=``
_STANDARD: Final[frozenset[str]] = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()
    | {"message", "asctime", _SCRUBBED, "color_message"}  # uvicorn's copy with terminal colours
)
MAX_MESSAGE: Final[int] = 2000
# Loggers whose messages and fields are fixed templates of the service's own ids (the access
# line, security events): their text needs no scrubbing, which halves a request's log cost.
TRUSTED: Final[frozenset[str]] = frozenset({"secondlook.access", "secondlook.security"})


def scrub(text: str) -> str:
    """Return ``text`` with pydantic input echoes and person-field values blanked."""
    text = _INPUT_VALUE.sub(f"input_value={REDACTED}", text)
    return _FIELD_VALUE.sub(lambda m: f"{m.group('key')}{REDACTED}", text)


class RedactPersonData(logging.Filter):
    """Blanks person data in a record (message, arguments, extra fields) before any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the record in place; never drops it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string is logged as its template
            message = str(record.msg)
        trusted = record.name in TRUSTED
        record.msg, record.args = (message if trusted else scrub(message))[:MAX_MESSAGE], None
        for name, value in list(vars(record).items()):
            if name in _STANDARD:
                continue
            if name in PERSON_FIELDS:
                delattr(record, name)
            elif not trusted and isinstance(value, str):
                setattr(record, name, scrub(value)[:MAX_MESSAGE])
        setattr(record, _SCRUBBED, True)
        return True


def safe_exception(exc_info: Any) -> dict[str, Any]:
    """Describe an exception by its type chain and frames (file, line, function), no message."""
    _, exc, tb = exc_info
    frames = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]
    chain: list[str] = []
    seen = exc
    while seen is not None and len(chain) < 5:
        chain.append(type(seen).__qualname__)
        seen = seen.__cause__ or seen.__context__
    return {"type": chain[0] if chain else "", "caused_by": chain[1:], "frames": frames[-12:]}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of JSON (person data already scrubbed by the filter)."""
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        scrubbed = getattr(record, _SCRUBBED, False)
        if not scrubbed:  # formatted without the filter
            out["message"] = scrub(out["message"])[:MAX_MESSAGE]
        for name, value in vars(record).items():
            if name in _STANDARD or name in PERSON_FIELDS:
                continue
            if isinstance(value, int | float | bool | None):
                out[name] = value
            else:
                text = str(value)
                out[name] = text if scrubbed else scrub(text)[:MAX_MESSAGE]
        if record.exc_info and record.exc_info[0] is not None:
            out["exception"] = safe_exception(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """Return the ``logging.config.dictConfig`` of :func:`configure_logging` (for uvicorn workers).

    uvicorn applies it in every worker process, so ``--workers N`` logs the same way.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "filters": {"redact": {"()": f"{__name__}.RedactPersonData"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
                "filters": ["redact"],
            }
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {
            name: {"handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send every logger's records (ours, uvicorn's, libraries') as scrubbed JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactPersonData())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True
    return handler
