"""Child processes that never outlive the run that started them.

A worker process (the parse pool's, the quality gate's) calls :func:`exit_with_parent` when it starts: a daemon
thread checks every half second that the process that started it is still its parent, and ends the worker when it
is not (the parent was killed, e.g. with ``kill -9``, and the worker was handed to init). ``PR_SET_PDEATHSIG``
would fire when the parent *thread* that forked ends, which in a pool is not the parent process ending.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

_watching = False
_lock = threading.Lock()


def exit_with_parent(interval: float = 0.5) -> None:
    """In a child process, end this process when its parent goes away; in a main process, do nothing."""
    global _watching
    parent_process = multiprocessing.parent_process()
    if parent_process is None or parent_process.pid is None:
        return
    with _lock:
        if _watching:
            return
        _watching = True
    parent = parent_process.pid  # as recorded when this process was spawned: it may be gone already

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(70)  # EX_SOFTWARE: nobody is left to report to

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of fresh interpreters (spawn: no inherited threads or locks) whose workers end with this process."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=exit_with_parent)
