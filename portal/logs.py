"""Log formats: readable lines in development, one JSON object a line in production.

Services log one line per write with ``extra={"event": ..., "user": ..., "facts": {...}}``;
the JSON format carries those fields as they are, for a log platform to index.
"""

import json
import logging

STANDARD = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in STANDARD | {"message"}})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
