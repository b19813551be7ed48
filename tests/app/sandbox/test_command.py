"""``returndesk sandbox`` as a user runs it: a real process, stopped with Ctrl+C."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]


# ``python -m app`` with Ctrl+C as a terminal delivers it. A process started where SIGINT is
# ignored (a background job, some CI runners) passes that on to its children, and Python then
# installs no KeyboardInterrupt for it: the sandbox would rightly keep serving.
RUN_WITH_CTRL_C = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                   "runpy.run_module('app', run_name='__main__', alter_sys=True)")


@pytest.mark.skipif(os.name == "nt", reason="sends SIGINT")
def test_sandbox_command_serves_until_interrupted():
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_WITH_CTRL_C, "sandbox", "--port", "0", "--items", "50"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    try:
        while not seen or "Serving" not in seen[-1]:
            line = lines.get(timeout=60)
            assert line, "the sandbox exited early:\n" + "".join(seen)
            seen.append(line)
        text = "".join(seen)
        user = re.search(r"user API:\s+(\S+)", text)[1]
        key = re.search(r"API key:\s+(\S+)", text)[1]
        token = re.search(r"API token:\s+(\S+)", text)[1]
        assert re.search(r"signing key:\s+\S+", text)
        answer = httpx.get(user + "/ReturnInventory/GetReturnInventory",
                           params={"returnInventoryId": 1},
                           headers={"x-rr-apikey": key, "x-rr-apitoken": token})
        assert answer.status_code == 404 and answer.json()["correlationId"]
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    assert code == 0
