#!/usr/bin/env bash
# A local, long-lived Prefect stack for the ETL: server on loopback, process work pool, deployments, one worker.
#
#   scripts/prefect_stack.sh start     start the server (background) and wait until it answers
#   scripts/prefect_stack.sh deploy    create/refresh the work pool and `prefect deploy --all` from prefect.yaml
#   scripts/prefect_stack.sh worker    start a process worker in the background (pid file, log file)
#   scripts/prefect_stack.sh up        start + deploy + worker (what `make serve` runs)
#   scripts/prefect_stack.sh stop      SIGINT the worker, then stop the server (what `make serve-stop` runs)
#   scripts/prefect_stack.sh status    what is running, where its state and logs are
#   scripts/prefect_stack.sh env       print the exports that point a shell's `prefect`/`etl` at this server
#   scripts/prefect_stack.sh prefect ARGS...   run the prefect CLI against this server, e.g.
#       scripts/prefect_stack.sh prefect deployment run poll-inbox/inbox-poll --watch
#
# Settings (environment):
#   ETL_PREFECT_PORT   server port on 127.0.0.1 (default 4200)
#   ETL_PREFECT_HOME   Prefect's state: database, server pid, worker pid and logs (default data/.prefect-stack)
#   ETL_PROJECT_DIR    folder the deployed flows run in: the pull step of prefect.yaml changes into it and the
#                      deployments' relative paths (data/inbox, data/warehouse.duckdb …) are taken from it
#                      (default: this project)
#   ETL_WORK_POOL      work pool name (default etl-process; prefect.yaml names etl-process)
#   ETL_WORKER_LIMIT   most flow runs the worker runs at once (default 2)
# Everything binds to 127.0.0.1 only. Commands are idempotent: `start` on a running server and `deploy` again
# are no-ops apart from refreshing the deployments.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${ETL_VENV_BIN:-$ROOT/.venv/bin}"
PORT="${ETL_PREFECT_PORT:-4200}"
HOST=127.0.0.1
POOL="${ETL_WORK_POOL:-etl-process}"
export PREFECT_HOME="${ETL_PREFECT_HOME:-$ROOT/data/.prefect-stack}"
export PREFECT_API_URL="http://$HOST:$PORT/api"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
# The server streams a run's log lines to `prefect deployment run --watch` (off by default: the watcher then shows
# only "finished in state 'Failed'", not the rejected files the run logged).
export PREFECT_SERVER_LOGS_STREAM_OUT_ENABLED=true PREFECT_SERVER_LOGS_STREAM_PUBLISHING_ENABLED=true
export ETL_PROJECT_DIR="${ETL_PROJECT_DIR:-$ROOT}"
WORKER_PID="$PREFECT_HOME/worker.pid"
WORKER_LOG="$PREFECT_HOME/worker.log"
SERVER_PID="$PREFECT_HOME/server.pid" # the server's pid, where `prefect server stop` reads it
SERVER_LOG="$PREFECT_HOME/server.log"

prefect() { "$BIN/prefect" "$@"; }
alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }
pid_of() { [[ -f "$1" ]] && tr -dc '0-9' <"$1" || true; }

cmd_start() {
    mkdir -p "$PREFECT_HOME"
    local pid
    pid="$(pid_of "$SERVER_PID")"
    if alive "$pid"; then
        echo "server already running (pid $pid) at $PREFECT_API_URL"
    else
        rm -f "$SERVER_PID" # stale: left by a server that died; `server start` refuses to start while it exists
        echo "starting Prefect server on $HOST:$PORT (PREFECT_HOME=$PREFECT_HOME), log $SERVER_LOG"
        # Not `prefect server start --background`: that one gives the server pipes for its output and exits, so
        # nothing the server logs later is kept (and every write goes to a closed pipe). Here the server runs in
        # the foreground of its own session (setsid: `stop` and a test's clean-up reach it alone), its output in
        # server.log, its pid in the file `prefect server stop` reads.
        (cd "$ROOT" && exec setsid "$BIN/prefect" server start --host "$HOST" --port "$PORT" --analytics-off \
            </dev/null >"$SERVER_LOG" 2>&1) &
        echo $! >"$SERVER_PID"
        sleep 1
        if ! alive "$(pid_of "$SERVER_PID")"; then
            cat "$SERVER_LOG" >&2
            echo "server did not start" >&2
            exit 1
        fi
    fi
    prefect server status --wait --timeout 90 >/dev/null
    echo "server ready: http://$HOST:$PORT (API $PREFECT_API_URL)"
}

cmd_deploy() {
    prefect work-pool create "$POOL" --type process --overwrite >/dev/null
    echo "work pool $POOL ready"
    # --all --no-prompt: every deployment of prefect.yaml, non-interactively; re-running updates them in place.
    if [ "${1:-}" = "--worker-follows" ]; then
        # `up` starts the worker next: Prefect's "start a worker" hint (printed once per deployment while no worker
        # is online yet) would tell the user to do what this script is about to do.
        (cd "$ROOT" && prefect deploy --all --no-prompt --prefect-file "$ROOT/prefect.yaml") |
            sed '/To execute flow runs from these deployments/,/prefect worker start/d'
        return "${PIPESTATUS[0]}"
    fi
    (cd "$ROOT" && prefect deploy --all --no-prompt --prefect-file "$ROOT/prefect.yaml")
}

cmd_worker() {
    mkdir -p "$PREFECT_HOME"
    local pid
    pid="$(pid_of "$WORKER_PID")"
    if alive "$pid"; then
        echo "worker already running (pid $pid), log $WORKER_LOG"
        return
    fi
    # setsid: the worker leads its own process group, so `stop` reaches the flow runs it started too.
    (cd "$ETL_PROJECT_DIR" && exec setsid "$BIN/prefect" worker start --pool "$POOL" \
        --name "etl-worker-$(hostname)-$PORT" --limit "${ETL_WORKER_LIMIT:-2}" </dev/null >"$WORKER_LOG" 2>&1) &
    echo $! >"$WORKER_PID"
    sleep 1
    if ! alive "$(pid_of "$WORKER_PID")"; then
        cat "$WORKER_LOG" >&2
        echo "worker did not start" >&2
        exit 1
    fi
    echo "worker started (pid $(pid_of "$WORKER_PID")) on pool $POOL, runs flows in $ETL_PROJECT_DIR, log $WORKER_LOG"
}

stop_worker() {
    local pid
    pid="$(pid_of "$WORKER_PID")"
    if alive "$pid"; then
        # The worker shuts down on SIGINT (it ignored SIGTERM for 9 s when measured); give it 20 s, then kill.
        kill -INT -- "-$pid" 2>/dev/null || kill -INT "$pid" 2>/dev/null || true
        for _ in $(seq 1 40); do alive "$pid" || break; sleep 0.5; done
        if alive "$pid"; then
            echo "worker $pid ignored SIGINT for 20 s: killing its process group" >&2
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
        echo "worker stopped"
    fi
    rm -f "$WORKER_PID"
}

stop_server() {
    local pid
    pid="$(pid_of "$SERVER_PID")"
    if alive "$pid"; then
        prefect server stop >/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 40); do alive "$pid" || break; sleep 0.5; done
        alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
        echo "server stopped"
    fi
    rm -f "$SERVER_PID"
}

cmd_stop() {
    stop_worker
    stop_server
}

cmd_status() {
    local spid wpid
    spid="$(pid_of "$SERVER_PID")"
    wpid="$(pid_of "$WORKER_PID")"
    echo "PREFECT_HOME=$PREFECT_HOME"
    if alive "$spid"; then echo "server: running (pid $spid) at http://$HOST:$PORT"; else echo "server: stopped"; fi
    if alive "$wpid"; then echo "worker: running (pid $wpid) on pool $POOL, log $WORKER_LOG"; else echo "worker: stopped"; fi
    if alive "$spid"; then
        prefect deployment ls 2>/dev/null || true
    fi
    alive "$spid" && alive "$wpid"
}

cmd_env() {
    echo "export PREFECT_HOME='$PREFECT_HOME'"
    echo "export PREFECT_API_URL='$PREFECT_API_URL'"
    echo "export PREFECT_SERVER_ANALYTICS_ENABLED=false"
}

print_next_steps() {
    echo
    echo "To point this shell's \`etl\` and \`prefect\` at this server (etl then runs its commands as flows on it):"
    echo "  eval \"\$(scripts/prefect_stack.sh env)\"     # or:"
    echo "  export PREFECT_API_URL='$PREFECT_API_URL' PREFECT_HOME='$PREFECT_HOME'"
    echo "UI: http://$HOST:$PORT    stop: make serve-stop"
}

case "${1:-}" in
start) cmd_start ;;
deploy) cmd_deploy ;;
worker) cmd_worker ;;
up) cmd_start && cmd_deploy --worker-follows && cmd_worker && print_next_steps ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
prefect) shift && prefect "$@" ;;
*)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
