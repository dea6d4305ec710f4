#!/usr/bin/env bash
# Load test and side-by-side baselines for the analytics service: one command, one Markdown table.
#
#   benchmarks/run-comparison.sh                      # 1,000,000 events (about 3 minutes on 2 cores)
#   benchmarks/run-comparison.sh --events 10000000    # the big run (about 11 minutes on 2 cores / 24 GB)
#
# Options (all but --keep and --work go to the load test, benchmarks/Analytics.LoadTest, unchanged):
#   --events N         events to generate and ingest (default 1000000)
#   --days N --users N --prompts N --products N --institutions N --seed N    the synthetic data set
#   --concurrency N --batch N      senders and events per request of the ingestion flood (32 x 2000)
#   --queries N --query-seconds N --warmup N   requests per API and system (100), the time cap of each
#                                  round (15 s) and the untimed warm-up requests (5)
#   --ingest-seconds N             time cap of the flood
#   --baselines none               the service alone: no engine or PostgreSQL phase, and the events kept as
#                                  gzip-compressed NDJSON only (for 100M events, whose files would not fit on disk)
#   --server-path                  also run the flood and the query rounds against the service on the server
#                                  path (Analytics:Engine=Http, through ClickHouse.Driver) beside the embedded one
#   --keep                         keep the work folder (data, logs, per-phase results) instead of deleting it
#   --work DIR                     the work folder (default: a new one under /tmp)
#
# What happens, in order, all on this machine and on 127.0.0.1 only:
#   1. Release build of the service and the load test (copied into the work folder, so that other builds
#      of the tree cannot swap binaries under a running process).
#   2. The events are generated once, untimed: NDJSON for the service and the engine, CSV for PostgreSQL.
#   3. The service starts on a free loopback port with a fresh data folder and a random admin token; the
#      load test creates a key, floods POST /v1/events, records the service's peak RSS (VmHWM), waits for it
#      to go idle and times the three query APIs. The service is then stopped with SIGTERM.
#   3b. With --server-path: a ClickHouse HTTP interface on a free loopback port, served by an embedded engine in
#      a process of its own (the load test's loopback phase; no ClickHouse server runs on these machines), and a
#      second service started with Analytics:Engine=Http against it; the same flood and query rounds, then both
#      are stopped. The report shows both services, and the server's CPU counts with the second one's.
#   4. Engine baselines in the load-test process's own embedded engine (its own data folder): the same
#      NDJSON inserted as JSONEachRow into a scratch copy of the events table, then into the full schema with
#      rollup views (the ingestion baseline); on that full copy, API B's own statement (sql/queries/prompt_usage.sql)
#      for the same requests as the API round, with the service's output format, so that each B answer can be
#      set beside the engine's own time for it and its bytes compared; then the same questions in raw SQL on the
#      raw copy.
#   5. PostgreSQL 15 (apt-get install postgresql-15 when missing): a throwaway cluster in the work folder on a
#      free port, run as the postgres user; COPY, indexes, VACUUM ANALYZE, then the same questions via psql.
#   6. The Markdown report (also WORK/report.md). Each size's headline figures are kept in
#      benchmarks/Analytics.LoadTest/runs/run-EVENTS.json, and the report shows how they grow across sizes.
set -euo pipefail

# Everything runs inside main, so that bash has read the whole file before anything starts.
main() {
    REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    STARTED=$(date +%s)
    COMMAND="benchmarks/run-comparison.sh${*:+ $*}"
    KEEP=0
    BASELINES=all
    SERVER_PATH=0
    WORK=""
    PASS=()
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --keep) KEEP=1; shift ;;
            --server-path) SERVER_PATH=1; shift ;;
            --baselines) [[ $# -ge 2 ]] || { echo "run-comparison: $1 needs a value" >&2; exit 2; }
                         BASELINES="$2"; PASS+=("$1" "$2"); shift 2 ;;
            --work) WORK="$2"; shift 2 ;;
            --*) [[ $# -ge 2 ]] || { echo "run-comparison: $1 needs a value" >&2; exit 2; }
                 PASS+=("$1" "$2"); shift 2 ;;
            *) echo "run-comparison: unexpected argument '$1'" >&2; exit 2 ;;
        esac
    done

    WORK="${WORK:-$(mktemp -d /tmp/analytics-loadtest.XXXXXX)}"
    mkdir -p "$WORK"
    # PostgreSQL's server process (user postgres) reads the CSV from here.
    chmod 755 "$WORK"

    SERVICE_PID=""
    LOOPBACK_PID=""
    PG_DATA=""
    PG_BIN="/usr/lib/postgresql/15/bin"

    log() { printf '\n== %s (%ds)\n' "$*" $(( $(date +%s) - STARTED )) >&2; }

    as_postgres() {
        if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
    }

    stop_service() {
        if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
            # SIGTERM: the service drains its buffer and closes the engine before it exits.
            kill -TERM "$SERVICE_PID"
            for _ in $(seq 1 120); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.5; done
            if kill -0 "$SERVICE_PID" 2>/dev/null; then
                echo "run-comparison: the service did not stop within 60 s; killing it" >&2
                kill -KILL "$SERVICE_PID" 2>/dev/null || true
            fi
            local code=0
            wait "$SERVICE_PID" 2>/dev/null || code=$?
            [[ $code -eq 0 ]] || echo "run-comparison: the service exited with code $code (see $WORK/service.log)" >&2
        fi
        SERVICE_PID=""
    }

    stop_loopback() {
        if [[ -n "$LOOPBACK_PID" ]] && kill -0 "$LOOPBACK_PID" 2>/dev/null; then
            kill -TERM "$LOOPBACK_PID"
            wait "$LOOPBACK_PID" 2>/dev/null || true
        fi
        LOOPBACK_PID=""
    }

    # start_service NAME [VAR=VALUE ...]: the service on a free port, data and log under WORK/NAME.
    start_service() {
        local name="$1"; shift
        PORT=$("$LT" free-port --work "$WORK")
        mkdir -p "$WORK/$name"
        (
            cd "$WORK/bin/api"
            export ASPNETCORE_URLS="http://127.0.0.1:$PORT"
            export Analytics__DataPath="$WORK/$name/clickhouse"
            export Analytics__Ingestion__SpoolPath="$WORK/$name/spool"
            export Analytics__AdminToken="$TOKEN"
            exec env "$@" dotnet Analytics.Api.dll
        ) >"$WORK/$name.log" 2>&1 </dev/null &
        SERVICE_PID=$!
    }

    stop_postgres() {
        if [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]]; then
            as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
        fi
        PG_DATA=""
    }

    cleanup() {
        stop_service
        stop_loopback
        stop_postgres
        if [[ $KEEP -eq 0 ]]; then
            rm -rf "$WORK"
        else
            echo "run-comparison: kept $WORK" >&2
        fi
    }
    trap cleanup EXIT
    trap 'exit 130' INT TERM

    build() {
        # Other builds of the tree may run at the same time; one retry covers a locked obj folder.
        dotnet build "$1" -c Release -nologo -v q -clp:ErrorsOnly >&2 || dotnet build "$1" -c Release -nologo -v q -clp:ErrorsOnly >&2
    }

    # The engine's and PostgreSQL's phases, once the service has stopped.
    baselines() {
        log "Engine baselines (the service is stopped)"
        "$LT" engine "${COMMON[@]}"

        log "PostgreSQL baseline"
        if [[ ! -x "$PG_BIN/postgres" || ! -x "$PG_BIN/psql" ]]; then
            if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi
            "${SUDO[@]}" apt-get update -qq
            DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq postgresql-15 >/dev/null
        fi
        mkdir -p "$WORK/pg"
        [[ $(id -u) -ne 0 ]] || chown postgres: "$WORK/pg"
        as_postgres "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
        PG_PORT=$("$LT" free-port --work "$WORK")
        # Memory sized for this 24 GB machine; durability relaxed (no fsync, no synchronous commit, minimal WAL),
        # as ClickHouse does not fsync its parts by default either. The cluster lives and dies with this run.
        PG_DATA="$WORK/pg/data"
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg/server.log" -w -t 120 start -o "\
         -p $PG_PORT -k $WORK/pg -c listen_addresses='' -c timezone=UTC \
         -c shared_buffers=4GB -c effective_cache_size=16GB -c work_mem=256MB -c maintenance_work_mem=2GB \
         -c max_parallel_workers_per_gather=2 -c max_parallel_maintenance_workers=2 -c random_page_cost=1.1 \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c wal_level=minimal -c max_wal_senders=0 \
         -c max_wal_size=16GB -c checkpoint_timeout=30min" >/dev/null
        "$LT" postgres "${COMMON[@]}" --psql "$PG_BIN/psql" --pg-host "$WORK/pg" --pg-port "$PG_PORT"
        stop_postgres
    }

    log "Building (Release)"
    build "$REPO/src/Analytics.Api/Analytics.Api.csproj"
    build "$REPO/benchmarks/Analytics.LoadTest/Analytics.LoadTest.csproj"
    rm -rf "$WORK/bin" "$WORK/service" "$WORK/service-server" "$WORK/loopback" "$WORK/pg" "$WORK/engine"
    mkdir -p "$WORK/bin"
    cp -r "$REPO/src/Analytics.Api/bin/Release/net10.0" "$WORK/bin/api"
    cp -r "$REPO/benchmarks/Analytics.LoadTest/bin/Release/net10.0" "$WORK/bin/loadtest"
    LT="$WORK/bin/loadtest/Analytics.LoadTest"

    COMMON=(--work "$WORK" --end-date "$(date -u +%F)" --command "$COMMAND" --results-dir "$REPO/benchmarks/Analytics.LoadTest/runs" "${PASS[@]}")

    log "Generating the events"
    "$LT" generate "${COMMON[@]}"

    log "Starting the service"
    TOKEN="bench-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    start_service service

    log "Ingestion flood and API queries (service pid $SERVICE_PID, port $PORT)"
    LOADTEST_ADMIN_TOKEN="$TOKEN" "$LT" http "${COMMON[@]}" --url "http://127.0.0.1:$PORT" --service-pid "$SERVICE_PID"
    stop_service

    if [[ $SERVER_PATH -eq 1 ]]; then
        log "Starting a ClickHouse HTTP interface on loopback, and the service on the server path"
        rm -f "$WORK/loopback.url"
        "$LT" loopback "${COMMON[@]}" >"$WORK/loopback.log" 2>&1 </dev/null &
        LOOPBACK_PID=$!
        for _ in $(seq 1 240); do
            [[ -s "$WORK/loopback.url" ]] && break
            kill -0 "$LOOPBACK_PID" 2>/dev/null || { echo "run-comparison: the loopback server exited (see $WORK/loopback.log)" >&2; exit 1; }
            sleep 0.5
        done
        [[ -s "$WORK/loopback.url" ]] || { echo "run-comparison: the loopback server did not start within 2 minutes" >&2; exit 1; }
        start_service service-server Analytics__Engine=Http "Analytics__ServerUrl=$(cat "$WORK/loopback.url")"

        log "Ingestion flood and API queries, server path (service pid $SERVICE_PID, server pid $LOOPBACK_PID)"
        LOADTEST_ADMIN_TOKEN="$TOKEN" "$LT" http "${COMMON[@]}" --url "http://127.0.0.1:$PORT" --service-pid "$SERVICE_PID" \
            --service-engine server --engine-pid "$LOOPBACK_PID"
        stop_service
        stop_loopback
    fi

    if [[ $BASELINES == all ]]; then
        baselines
    fi

    log "Report"
    "$LT" report "${COMMON[@]}"
    printf '\nTotal wall time of the run: %d min %02d s (build, generation and every phase run).\n' \
        $(( ($(date +%s) - STARTED) / 60 )) $(( ($(date +%s) - STARTED) % 60 ))
}

main "$@"
