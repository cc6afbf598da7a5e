"""`steward detect`: JSON lines in, one JSON line out per input, streaming."""

import io
import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command


def run(lines: list[str], *args: str) -> tuple[list[dict], CommandError | None]:
    stdout = io.StringIO()
    error = None
    try:
        call_command("detect", *args, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=stdout)
    except CommandError as raised:
        error = raised
    return [json.loads(line) for line in stdout.getvalue().splitlines()], error


def test_it_writes_one_line_per_input_with_categories_and_findings():
    outputs, error = run(
        [
            json.dumps({"id": 1, "text": "Call Mara Lindqvist on +49 30 12345678."}),
            json.dumps({"id": "n-2", "lang": "fr", "text": "Elle est hospitalisée."}),
            json.dumps({"id": 3, "text": "Renewal signed, nothing else."}),
        ]
    )

    assert error is None
    assert [output["id"] for output in outputs] == [1, "n-2", 3]
    assert outputs[0]["categories"] == ["person", "phone"]
    assert outputs[1]["categories"] == ["health"]
    assert outputs[2] == {"id": 3, "categories": [], "findings": []}
    phone = next(f for f in outputs[0]["findings"] if f["category"] == "phone")
    assert set(phone) == {"category", "start", "end", "confidence", "evidence", "detector"}
    assert phone["evidence"] == "+49 30 12345678"


def test_invalid_lines_get_an_error_line_in_their_place_and_a_failing_exit():
    outputs, error = run(
        [
            "this is not json",
            json.dumps({"id": 7, "text": 42}),
            json.dumps(["a", "list"]),
            json.dumps({"text": "no id"}),
            json.dumps({"id": 8, "text": "Mail mara@example.com."}),
        ]
    )

    assert error is not None
    assert "4 input line(s)" in str(error)
    assert [output.get("id") for output in outputs] == [None, 7, None, None, 8]
    assert "line 1: invalid JSON" in outputs[0]["error"]
    assert outputs[1]["error"] == "line 2: the field 'text' must be a string"
    assert "line 4" in outputs[3]["error"] and "'id'" in outputs[3]["error"]
    assert outputs[4]["categories"] == ["email"]


def test_blank_lines_are_skipped():
    outputs, error = run(["", json.dumps({"id": 1, "text": "x"}), "   "])

    assert error is None
    assert len(outputs) == 1


def test_it_rejects_an_unknown_category_by_name():
    with pytest.raises(CommandError, match="--categories: unknown categories horoscope"):
        call_command("detect", "--categories", "email,horoscope", stdin=io.StringIO(""))


def test_categories_narrow_the_output():
    outputs, _ = run(
        [json.dumps({"id": 1, "text": "Mara Lindqvist, mara@example.com"})], "--categories", "email"
    )

    assert outputs[0]["categories"] == ["email"]


def _steward(*args: str) -> list[str]:
    return [sys.executable, "-m", "steward.cli", "detect", *args]


def test_it_runs_as_a_command_line_tool_and_streams_each_answer_before_the_next_input():
    process = subprocess.Popen(
        _steward(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=settings.BASE_DIR,
        text=True,
    )
    try:
        process.stdin.write(
            json.dumps({"id": 1, "text": "IBAN DE89 3704 0044 0532 0130 00"}) + "\n"
        )
        process.stdin.flush()
        # The answer arrives while standard input is still open: nothing waits for EOF.
        first = json.loads(process.stdout.readline())
        process.stdin.write("{broken\n")
        process.stdin.close()
        rest = process.stdout.read().splitlines()
        process.wait(timeout=30)
    finally:
        process.kill()

    assert first["categories"] == ["iban"]
    assert "error" in json.loads(rest[0])
    assert process.returncode != 0
    assert "could not be read" in process.stderr.read()


def test_a_line_that_is_not_utf8_is_an_error_line():
    completed = subprocess.run(
        _steward(), input=b"\xff\xfe\n", capture_output=True, cwd=settings.BASE_DIR, timeout=30
    )

    assert completed.returncode != 0
    assert json.loads(completed.stdout) == {"id": None, "error": "line 1: not UTF-8"}
