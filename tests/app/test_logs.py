"""app.logs: what a process logs before its file is opened reaches the file, masked."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import logs


def test_records_logged_before_the_file_is_opened_are_written_to_it(
        logging_restored: None, isolated_dirs: Path) -> None:
    logs.hold_until_setup()
    logs.register_secret("s3cr3t-token-value")
    logging.getLogger("app.example").info("starting the demo")
    logging.getLogger("app.example").warning("keyring answered with s3cr3t-token-value")
    logging.getLogger("httpx").info("HTTP Request: GET https://example.invalid")  # not kept
    logging.getLogger("app.example").debug("chatter below the level")
    path = logs.setup_logging("held", console=False)
    logging.getLogger("app.example").info("after the file opened")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "starting the demo", "keyring answered with ***", "after the file opened"]
    assert "s3cr3t" not in text and "HTTP Request" not in text
    assert not any(isinstance(h, logs._Held) for h in logging.getLogger().handlers)


def test_holding_is_bounded(logging_restored: None, isolated_dirs: Path) -> None:
    logs.hold_until_setup()
    for n in range(logs._Held.LIMIT + 50):
        logging.getLogger("app.example").info("line %d", n)
    path = logs.setup_logging("bounded", console=False)
    assert len(path.read_text(encoding="utf-8").splitlines()) == logs._Held.LIMIT


def test_the_file_and_the_console_get_a_record_masked_and_formatted_once(
        logging_restored: None, isolated_dirs: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_redact = logs.redact

    def counting(text: str) -> str:
        calls.append(text)
        return real_redact(text)

    monkeypatch.setattr(logs, "redact", counting)
    times: list[float] = []
    real_time = logs._SharedFormatter.formatTime

    def counting_time(self: logging.Formatter, record: logging.LogRecord,
                      datefmt: str | None = None) -> str:
        times.append(record.created)
        return real_time(self, record, datefmt)

    monkeypatch.setattr(logs._SharedFormatter, "formatTime", counting_time)
    logs.register_secret("hunter2-wh-secret")
    path = logs.setup_logging("twice", console=True)  # the file and stderr, one filter each
    logging.getLogger("app.example").warning("key %s, Authorization: Bearer abc.def-ghi ok",
                                             "hunter2-wh-secret")
    for text in (path.read_text(encoding="utf-8"), capsys.readouterr().err):
        assert "key ***, Authorization: *** ok" in text
        assert "hunter2" not in text and "abc.def" not in text
    assert len(calls) == 1  # the second handler's filter found the record already masked
    assert len(times) == 1  # and its formatter the record already formatted


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.sampled_from(logs._HEADER_NAMES),
    st.sampled_from(["Token", "PASSWORD", "AuthoriZation", "paſsword", "toKen", "x-rr-apikeY"]),
    st.sampled_from([": ", "=", "='", '":"', " ", ", ", "}", "Bearer ", "basic "]),
    st.text(max_size=12)), max_size=8).map("".join))
def test_masking_headers_finds_what_the_pattern_finds(text: str) -> None:
    # redact() skips the pattern for ASCII text naming none of its headers; the result must
    # be what the pattern alone gives, whatever the case or the letters around the names.
    assert logs.redact(text) == logs._HEADER.sub(logs._masked, text)
