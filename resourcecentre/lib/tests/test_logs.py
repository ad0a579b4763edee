import io
import json
import logging
import logging.config

from resourcecentre.lib.logs import logging_formatters


def _log_with(kind: str, **extra) -> str:
    stream = io.StringIO()
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": logging_formatters(kind),
            "handlers": {
                "test": {"class": "logging.StreamHandler", "formatter": "default", "stream": stream}
            },
            "loggers": {"rc.test.logs": {"handlers": ["test"], "level": "INFO", "propagate": False}},
        }
    )
    logging.getLogger("rc.test.logs").info("request done", extra=extra)
    return stream.getvalue()


def test_json_logs_are_one_object_a_line_with_the_extra_fields():
    line = _log_with("json", route="news:story", status=200, duration_ms=12.5)
    record = json.loads(line)
    assert record["message"] == "request done"
    assert record["level"] == "INFO"
    assert record["logger"] == "rc.test.logs"
    assert record["route"] == "news:story" and record["status"] == 200
    assert "timestamp" in record
    assert line.count("\n") == 1


def test_a_message_with_quotes_and_newlines_stays_one_valid_json_line():
    stream_line = _log_with("json", path='"/x"\n{"injected": true}')
    assert stream_line.count("\n") == 1
    assert json.loads(stream_line)["path"] == '"/x"\n{"injected": true}'


def test_text_logs_read_as_a_sentence():
    line = _log_with("text")
    assert "INFO rc.test.logs: request done" in line
