"""A Prefect API server that ends when the process that started it is gone (see flows/server.py).

python -m etl.flows._server_child PARENT_PID PORT
"""

from __future__ import annotations

import os
import sys
import threading
import time


def _exit_when_orphaned(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def main() -> None:
    parent, port = int(sys.argv[1]), int(sys.argv[2])
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    import uvicorn

    uvicorn.run(
        "prefect.server.api.server:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        log_level="error",
        lifespan="on",
    )


if __name__ == "__main__":
    main()
