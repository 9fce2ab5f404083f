"""Starting the Streamlit viewer as a server process: the command line, a free port, readiness.

Shared by ``zhaiyao view`` / ``zhaiyao start`` and the browser test, so the test starts the server
exactly as a user does.
"""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from zhaiyao.errors import ConfigError

VIEWER_FILE = Path(__file__).resolve().parent / "page.py"
DEFAULT_PORT = 8501
HOST = "localhost"


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def pick_port(wanted: int | None) -> int:
    """``wanted`` if given (refused clearly when taken), else the first free port from 8501 up."""
    if wanted is not None:
        if not port_is_free(wanted):
            raise ConfigError(f"port {wanted} is already in use; pick another with --port")
        return wanted
    for port in range(DEFAULT_PORT, DEFAULT_PORT + 100):
        if port_is_free(port):
            return port
    raise ConfigError(f"no free port in {DEFAULT_PORT}-{DEFAULT_PORT + 99}; pass one with --port")


def upload_limit_mb(max_file_mb: float) -> int:
    """Streamlit's own upload cap for a viewer limit of ``max_file_mb``: the same, in the whole MB
    Streamlit counts in (so the size the upload box names is the size at which Streamlit answers)."""
    return max(1, math.ceil(max_file_mb))


def server_command(port: int, *, max_upload_mb: float = 20.0) -> list[str]:
    # Headless always: whether a browser opens is decided by the caller, which knows if there is a
    # screen; a non-headless Streamlit would also ask for an e-mail address on first run.
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(VIEWER_FILE),
        "--server.address",
        HOST,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--server.fileWatcherType",
        "none",
        "--server.maxUploadSize",
        str(upload_limit_mb(max_upload_mb)),
    ]


def server_env(db_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["ZHAIYAO_DB"] = str(db_path)
    # The server runs the viewer file directly; make sure the package is importable even when it is
    # not installed (a plain checkout run with PYTHONPATH unset).
    root = str(VIEWER_FILE.parents[2])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra or {})
    return env


def viewer_url(port: int, page: str | None = None) -> str:
    url = f"http://{HOST}:{port}/"
    if page:
        url += "?" + urllib.parse.urlencode({"page": page})
    return url


def start_server(
    db_path: Path, port: int, *, max_upload_mb: float = 20.0, env: dict[str, str] | None = None, log=None
) -> subprocess.Popen:
    """Start the viewer server; it runs in its own process group so it can be stopped as a whole."""
    return subprocess.Popen(
        server_command(port, max_upload_mb=max_upload_mb),
        env=server_env(db_path, env),
        stdout=log if log is not None else subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_ready(proc: subprocess.Popen, port: int, timeout: float = 60.0) -> None:
    """Block until the server answers its health check; a server that dies or hangs is an error."""
    health = f"http://{HOST}:{port}/_stcore/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ConfigError(f"the viewer server exited with code {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(health, timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise ConfigError(f"the viewer server did not answer on port {port} within {timeout:.0f}s")


def stop_server(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop the server and anything it started (SIGTERM to its group, SIGKILL if it lingers)."""
    import signal

    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


def has_display() -> bool:
    """Whether a browser could open here (a desktop session, macOS or Windows)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
