"""`podium serve` as a real process (with real worker processes) for deployment tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from tests.conftest import free_port


class ServeProcess:
    """``python -m podium serve --workers N`` on a loopback port, logging JSON to a file.

    Entering waits until every worker has logged that it started; leaving stops the
    supervisor, which stops its workers.
    """

    def __init__(self, tmp_path: Path, env: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log_path = tmp_path / f"serve-{self.port}.log"
        self.env = {
            **os.environ,
            "PODIUM_DATA_DIR": str(tmp_path / "data"),
            "PODIUM_LOG_JSON": "true",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServeProcess:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "podium",
                    "serve",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 90
        while len(self.started_pids()) < self.workers or not self._healthy():
            if self.process.poll() is not None:
                raise RuntimeError(f"podium serve exited:\n{self.log_path.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"podium serve did not start:\n{self.log_text()[-3000:]}")
            time.sleep(0.05)
        return self

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_lines(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far (the console banner is not JSON)."""
        lines = []
        for raw in self.log_path.read_bytes().splitlines():
            if raw.startswith(b"{"):
                lines.append(orjson.loads(raw))
        return lines

    def started_pids(self) -> set[int]:
        return {int(line["pid"]) for line in self.log_lines() if line.get("msg") == "started"}

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
