"""Logs: plain text by default, one JSON object a line with URBANMINE_LOG_FORMAT=json
(timestamp, level, logger, message, request id), for a management command as for the web."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.ops.processes import clean_env

EMIT = "import logging; logging.getLogger('urbanmine.ops').warning('stock of %s checked', 'hub 7')"


def _shell(tmp_path, **env: str) -> list[str]:
    r = subprocess.run(
        [sys.executable, "-m", "urbanmine", "shell", "-c", EMIT],
        env=clean_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return [line for line in r.stderr.splitlines() if "urbanmine.ops" in line]


def test_json_format_writes_one_object_a_line(tmp_path):
    (line,) = _shell(tmp_path, URBANMINE_LOG_FORMAT="json")
    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["logger"] == "urbanmine.ops"
    assert record["message"] == "stock of hub 7 checked"
    assert record["request_id"] == "-"  # outside a request
    assert record["timestamp"].endswith("+00:00")


def test_plain_text_stays_the_default(tmp_path):
    (line,) = _shell(tmp_path)
    assert line == "WARNING urbanmine.ops [-] stock of hub 7 checked"
