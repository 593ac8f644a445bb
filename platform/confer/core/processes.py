"""Servers that ``confer dev`` starts as child processes, and that must not outlive it however it ends.

An orderly stop (Ctrl+C, SIGTERM) stops each child in turn. A child also gets its own session, so a Ctrl+C in the
terminal reaches ``confer dev`` alone and the children stop in order after the app, and on Linux it asks the kernel
for SIGTERM when its parent dies (``PR_SET_PDEATHSIG``), which covers a ``confer dev`` killed outright.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
STOP_SECONDS = 5.0


def start_child(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    quiet: bool = True,
) -> subprocess.Popen[bytes]:
    """Start ``command`` as a child that dies with this process. ``quiet``: its output goes nowhere (it keeps a log).

    The death signal is bound to the thread that starts the child: call this from the main thread."""
    output = subprocess.DEVNULL if quiet else None
    return subprocess.Popen(  # noqa: S603 - our own servers, started from fixed command lines
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=output,
        start_new_session=True,
        preexec_fn=_die_with(os.getpid()),  # nothing but a system call between fork and exec
    )


def stop_child(process: subprocess.Popen[bytes], seconds: float = STOP_SECONDS) -> None:
    """SIGTERM, then SIGKILL if it is still there after ``seconds``; returns once it is gone."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _die_with(parent: int) -> Callable[[], None]:
    # Looked up here, before the fork: loading a library in the child of a threaded process could deadlock.
    prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None

    def arm() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return arm
