"""Children that die with ``raqib serve``: the web workers, the background worker and the embedded
redis-server ask Linux for a signal when their parent dies (``prctl(PR_SET_PDEATHSIG)``), so that
a master killed with SIGKILL (an OOM kill, ``kill -9``) leaves nothing running — no worker that
reconnects to the next start's Redis, no server holding the data directory. Elsewhere than on
Linux the call does nothing; ``watch_parent`` (a thread polling the parent's pid) still bounds how
long a web worker outlives its master."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _load_prctl() -> Callable[..., int] | None:
    """libc's prctl, looked up once in the parent: a child between fork and exec must not load a
    library (a lock another thread held at fork may never be released)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        prctl: Callable[..., int] = libc.prctl
    except (OSError, AttributeError):
        return None
    return prctl


_PRCTL = _load_prctl()


def die_with_parent(parent_pid: int, sig: int = signal.SIGTERM) -> bool:
    """In a child process: have ``sig`` sent to it when its parent dies, and send it now if the
    parent already died (between fork and this call its pid would have changed). False where the
    kernel offers no such signal."""
    armed = _PRCTL is not None and _PRCTL(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)
    return armed


def preexec_die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None]:
    """A ``preexec_fn`` for ``subprocess.Popen``: the child (before exec) asks for ``sig`` when
    the calling process dies. Spawn from a thread that lives as long as the process: Linux
    sends the signal when the thread that forked exits."""
    parent = os.getpid()

    def arm() -> None:
        die_with_parent(parent, sig)

    return arm


def watch_parent(parent_pid: int, grace_s: float, poll_s: float = 0.5) -> threading.Thread:
    """A daemon thread in a child: once its parent is gone, SIGTERM to itself (a graceful stop),
    then, ``grace_s`` later, an immediate exit — a stop that hangs must not keep it alive."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll_s)
        log.warning("parent %d is gone: stopping (at most %.0f s)", parent_pid, grace_s)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace_s)
        os._exit(1)

    thread = threading.Thread(target=watch, name="watch-parent", daemon=True)
    thread.start()
    return thread
