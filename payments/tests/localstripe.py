"""Start and stop a localstripe server (a fake, stateful Stripe from PyPI) for tests.

The root conftest starts one for the session unless STRIPE_API_BASE names one already (CI
starts it like Redis); a test of a stopped gateway starts one of its own and stops it.
"""

import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# A key localstripe accepts (any "sk_..." will do); never a real one.
TEST_SECRET_KEY = "sk_test_localstripe"


@dataclass
class LocalStripe:
    process: subprocess.Popen
    url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _executable() -> str:
    beside = Path(sys.executable).with_name("localstripe")
    return str(beside) if beside.exists() else (shutil.which("localstripe") or "localstripe")


def start() -> LocalStripe:
    """Start localstripe on a free port, from scratch, and wait until it answers."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="localstripe-", suffix=".log")[1])
    with log.open("wb") as out:
        process = subprocess.Popen(
            [_executable(), "--port", str(port), "--from-scratch"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LocalStripe(process=process, url=f"http://127.0.0.1:{port}", log=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"localstripe exited at start:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"localstripe did not answer on port {port} within a minute.")


@contextlib.contextmanager
def running() -> Iterator[LocalStripe]:
    server = start()
    try:
        yield server
    finally:
        server.stop()
        server.log.unlink(missing_ok=True)
