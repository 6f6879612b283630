#!/usr/bin/env bash
# Local dev stack without Docker: a real Kafka 4.1 (KRaft) and FerretDB (MongoDB wire) on 127.0.0.1,
# FerretDB backed by a private PostgreSQL 15 cluster (default) or by SQLite files.
#
# Usage: stack.sh up | down [--purge] | status | build
#
# Kafka comes from Maven Central (kafka/pom.xml) and FerretDB from the Go module proxy
# (ferretdb/main.go), because those registries are the only network a fresh CI box is sure to have;
# PostgreSQL is Debian's postgresql-15 (installed with apt-get when missing and we are root).
# Builds go to a per-user cache shared by every clone; data, logs and pid files stay in the clone.
#
# Why PostgreSQL by default: FerretDB 1.24's SQLite backend never uses its own _id index (the
# pushdown filters on _ferretdb_sjson->'$._id', the index is on _ferretdb_sjson->"_id"), so every
# find/update by _id scans the table: 17 ms per update_one at 4,000 documents against 1.1 ms on
# PostgreSQL, which stays flat. SQLite remains for machines without PostgreSQL.
#
# Environment (defaults in brackets):
#   HOIAM_STATE_DIR               data, logs, pids [<repo>/.local]
#   HOIAM_CACHE_DIR               resolved Kafka jars, FerretDB binary [${XDG_CACHE_HOME:-~/.cache}/hoi-am]
#   HOIAM_FERRETDB_BACKEND        postgresql | sqlite [postgresql]
#   HOIAM_KAFKA_PORT              [9092]    HOIAM_KAFKA_CONTROLLER_PORT [9093]
#   HOIAM_MONGO_PORT              [27017]   HOIAM_PG_PORT [5433] (not 5432: leave that to a system cluster)
#   HOIAM_KAFKA_START_TIMEOUT     seconds [120]   HOIAM_MONGO_START_TIMEOUT seconds [60]
#   HOIAM_PG_START_TIMEOUT        seconds [60]
#
# The PostgreSQL data live in <state>/postgres/data. PostgreSQL refuses to run as root, so as root
# it runs as the `postgres` user, which cannot reach a state dir under a 0700 folder such as /root;
# then the data go to /var/tmp/hoi-am-postgres/<hash of the state dir>/data instead, and
# <state>/postgres.location records where, for down, status and --purge.
#
# Exit codes: 0 ok, 1 failure (one line says what to do), 2 usage, 3 `status` with something down.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

KAFKA_VERSION="4.1.1" # keep in sync with kafka.version in kafka/pom.xml
KAFKA_PORT="${HOIAM_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${HOIAM_KAFKA_CONTROLLER_PORT:-9093}"
MONGO_PORT="${HOIAM_MONGO_PORT:-27017}"
PG_PORT="${HOIAM_PG_PORT:-5433}"
BACKEND="${HOIAM_FERRETDB_BACKEND:-postgresql}"
KAFKA_TIMEOUT="${HOIAM_KAFKA_START_TIMEOUT:-120}"
MONGO_TIMEOUT="${HOIAM_MONGO_START_TIMEOUT:-60}"
PG_TIMEOUT="${HOIAM_PG_START_TIMEOUT:-60}"
STOP_TIMEOUT=20
# The real line Kafka 4.1 logs once broker and controller are both serving (kafka.server.KafkaRaftServer).
KAFKA_READY_LINE="Kafka Server started"

# Absolute from the start: the state path ends up in the SQLite URL and in the pid markers.
STATE="$(realpath -m "${HOIAM_STATE_DIR:-$REPO/.local}")"
CACHE="${HOIAM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hoi-am}"

KAFKA_PROPS="$STATE/kafka/server.properties"
KAFKA_DATA="$STATE/kafka/data"
KAFKA_LOG="$STATE/logs/kafka.log"
KAFKA_PID="$STATE/run/kafka.pid"
MONGO_DATA="$STATE/ferretdb/"
MONGO_LOG="$STATE/logs/ferretdb.log"
MONGO_PID="$STATE/run/ferretdb.pid"
# Marks a FerretDB started by this clone whatever its backend (main.go ignores the flag). The
# trailing space stops /x/.local from matching /x/.local2; /proc cmdline args all end in one.
MONGO_MARKER="-stack-state $STATE "
PG_LOG="$STATE/logs/postgresql.log"
PG_LOCATION="$STATE/postgres.location"
PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/ferretdb"
# The data dir, read-only here (status and down must not create anything); `up` may move it to
# the /var/tmp fallback before the first initdb (pg_choose_data_dir).
if [[ -f "$PG_LOCATION" ]]; then
    PG_DATA="$(cat "$PG_LOCATION")"
else
    PG_DATA="$STATE/postgres/data"
fi

# Filled in by the build step (PG_BIN also by find_postgres for status and down).
KAFKA_LIB=""
FERRETDB_BIN=""
PG_BIN=""
PG_MAJOR=""

say() { printf '%s\n' "stack: $*"; }
die() {
    printf '%s\n' "stack: ERROR: $*" >&2
    exit 1
}

# Paths are printed relative to the repo when possible: shorter, and copy-pasteable from the repo root.
rel() { case "$1" in "$REPO"/*) printf '%s' "${1#"$REPO"/}" ;; *) printf '%s' "$1" ;; esac; }

tail_log() {
    local log="$1"
    printf '%s\n' "----- last 20 lines of $(rel "$log") -----" >&2
    tail -n 20 "$log" >&2 || true
    printf '%s\n' "-----" >&2
}

# Short hash of the inputs that define a build, so a changed pom or main.go gets a fresh cache entry
# while unchanged ones are shared by every clone on the machine.
inputs_hash() { cat "$@" | sha256sum | cut -c1-12; }

# Serialise concurrent runs (two terminals, parallel CI jobs sharing the cache). flock is in
# util-linux, which is essential on Debian; without it we simply run unlocked.
lock() {
    local fd="$1" file="$2"
    command -v flock >/dev/null 2>&1 || return 0
    mkdir -p "$(dirname "$file")"
    eval "exec $fd>\"\$file\""
    flock -w 600 "$fd" || die "another stack.sh still holds $file after 10 min; is one stuck?"
}

# ---------------------------------------------------------------- tools

find_java() {
    local java
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        java="$JAVA_HOME/bin/java"
    else
        java="$(command -v java || true)"
    fi
    [[ -n "$java" ]] || die "java not found: Kafka 4 needs Java 17 or newer (Debian 12: apt-get install openjdk-17-jre-headless)"
    # `java -version` prints e.g. openjdk version "17.0.15" (or "1.8.0_x" for Java 8).
    local ver major
    ver="$("$java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
    major="${ver%%.*}"
    [[ "$major" == "1" ]] && major="$(printf '%s' "$ver" | cut -d. -f2)"
    [[ "$major" =~ ^[0-9]+$ ]] || die "cannot tell the version of $java (got '$ver'); Kafka 4 needs Java 17 or newer"
    ((major >= 17)) || die "$java is Java $major; Kafka 4 needs Java 17 or newer (Debian 12: apt-get install openjdk-17-jre-headless, or set JAVA_HOME)"
    JAVA="$java"
}

find_mvn() {
    MVN="$(command -v mvn || true)"
    [[ -n "$MVN" ]] || die "mvn not found: it is needed once to download Kafka from Maven Central (Debian: apt-get install maven)"
}

find_go() {
    # The official tarball installs to /usr/local/go and is often not on PATH for non-login shells.
    GO="$(command -v go || true)"
    [[ -z "$GO" && -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go
    [[ -n "$GO" ]] || die "go not found: it is needed once to build FerretDB (Go >= 1.21 from https://go.dev/dl into /usr/local/go; Debian 12's golang-go 1.19 is too old)"
    local ver minor
    ver="$("$GO" env GOVERSION 2>/dev/null || true)" # e.g. go1.26.0
    minor="$(printf '%s' "$ver" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
    # go.mod says 1.24; Go >= 1.21 fetches that toolchain from the module proxy by itself.
    [[ -n "$minor" ]] && ((minor < 21)) && die "$GO is $ver; FerretDB needs Go >= 1.21 (Debian 12's golang-go is too old; use https://go.dev/dl)"
    return 0
}

# Debian installs server binaries per major version off PATH (/usr/bin/pg_ctl is a wrapper that
# wants a Debian-managed cluster). Prefer 15, the version the stack is tested with; else the newest.
find_postgres() {
    local dir best=""
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        best=/usr/lib/postgresql/15/bin
    else
        for dir in /usr/lib/postgresql/*/bin; do
            [[ -x "$dir/initdb" ]] && best="$(printf '%s\n%s\n' "$best" "$dir" | sort -V | tail -n 1)"
        done
    fi
    [[ -n "$best" ]] || return 1
    PG_BIN="$best"
    PG_MAJOR="$(basename "$(dirname "$best")")"
}

install_postgres() {
    find_postgres && return 0
    ((EUID == 0)) || die "PostgreSQL server not found (no /usr/lib/postgresql/*/bin/initdb); install it once with 'sudo apt-get install postgresql-15', or set HOIAM_FERRETDB_BACKEND=sqlite"
    command -v apt-get >/dev/null 2>&1 ||
        die "PostgreSQL server not found and no apt-get to install it; install PostgreSQL 15 so that /usr/lib/postgresql/15/bin/initdb exists, or set HOIAM_FERRETDB_BACKEND=sqlite"
    local log="$STATE/logs/build-postgresql.log"
    mkdir -p "$STATE/logs"
    say "installing postgresql-15 with apt-get (first time only) ..."
    # The package may create (and, where services can start, run) Debian's own 15/main cluster on
    # 5432. The stack never uses or starts it: it runs a private cluster on HOIAM_PG_PORT.
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15; } >"$log" 2>&1 </dev/null; then
        die "apt-get could not install postgresql-15 (network or apt sources?); see $(rel "$log")"
    fi
    find_postgres || die "postgresql-15 installed but /usr/lib/postgresql/15/bin/initdb is missing; see $(rel "$log")"
}

# ---------------------------------------------------------------- build

build_kafka() {
    local dir
    dir="$CACHE/kafka-$KAFKA_VERSION-$(inputs_hash "$HERE/kafka/pom.xml")"
    KAFKA_LIB="$dir/lib"
    [[ -f "$dir/.complete" ]] && return 0

    find_mvn
    local log="$STATE/logs/build-kafka.log" tmp="$dir/lib.tmp"
    mkdir -p "$dir" "$STATE/logs"
    rm -rf "$tmp"
    say "resolving Kafka $KAFKA_VERSION from Maven Central (first time only, ~20 s cold) ..."
    # -ntp keeps download progress out of the log; the log still lists every failed artifact.
    if ! "$MVN" -B -ntp -Dstyle.color=never -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$tmp" -DincludeScope=runtime >"$log" 2>&1; then
        if grep -qiE 'could not (transfer|resolve)|connect|unknown ?host|status code: 40[0-9]|timed out' "$log"; then
            die "Maven could not download Kafka from Maven Central (network, proxy or ~/.m2/settings.xml mirror?); see $(rel "$log")"
        fi
        die "Maven failed resolving kafka/pom.xml; see $(rel "$log")"
    fi
    # Without the slf4j->log4j2 binding the broker starts but logs nothing, and readiness is read
    # from the log, so a missing binding would look like a hang. Refuse it up front.
    local jar
    for jar in "kafka_2.13-$KAFKA_VERSION.jar" "log4j-slf4j*-impl-*.jar" "log4j-core-*.jar"; do
        compgen -G "$tmp/$jar" >/dev/null ||
            die "resolved Kafka classpath lacks $jar (check deploy/local/kafka/pom.xml); see $(rel "$log")"
    done
    rm -rf "$KAFKA_LIB"
    mv "$tmp" "$KAFKA_LIB"
    touch "$dir/.complete"
    say "Kafka jars in $KAFKA_LIB"
}

build_ferretdb() {
    local src="$HERE/ferretdb" dir
    dir="$CACHE/ferretdb-$(inputs_hash "$src/go.mod" "$src/go.sum" "$src/main.go")"
    FERRETDB_BIN="$dir/ferretdb"
    [[ -x "$FERRETDB_BIN" ]] && return 0

    find_go
    local log="$STATE/logs/build-ferretdb.log"
    mkdir -p "$dir" "$STATE/logs"
    say "building FerretDB from the Go module proxy (first time only, ~1 min cold) ..."
    # CGO off: the SQLite backend is pure Go (modernc.org/sqlite), so no C compiler is needed.
    # -buildvcs=false: the source sits inside this git repo and stamping it only makes builds differ.
    # Build to a temp name and rename, so an interrupted build never leaves a half-written binary.
    if ! (cd "$src" && CGO_ENABLED=0 "$GO" build -trimpath -buildvcs=false -o "$FERRETDB_BIN.tmp" ./) >"$log" 2>&1; then
        rm -f "$FERRETDB_BIN.tmp"
        if grep -qiE 'proxy\.golang\.org|dial tcp|i/o timeout|no such host|connection refused|verifying .*: ' "$log"; then
            die "Go could not download FerretDB modules (network or GOPROXY?); see $(rel "$log")"
        fi
        die "FerretDB build failed; see $(rel "$log")"
    fi
    mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
    say "FerretDB binary at $FERRETDB_BIN"
}

build_all() {
    mkdir -p "$CACHE"
    lock 8 "$CACHE/.build.lock"
    build_kafka
    build_ferretdb
    if [[ "$BACKEND" == postgresql ]]; then install_postgres; fi
}

# ---------------------------------------------------------------- processes

port_open() { timeout 2 bash -c ": >/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# Who listens on a port, as "name (pid N)", when ss can tell (it cannot for other users' processes).
port_owner() {
    local line
    command -v ss >/dev/null 2>&1 || return 0
    line="$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(("[^"]*",pid=[0-9]*' | head -n 1 || true)"
    [[ -n "$line" ]] && printf '%s' "$line" | sed 's/users:(("\([^"]*\)",pid=\([0-9]*\)/\1 (pid \2)/'
    return 0
}

require_free_port() {
    local port="$1" env="$2" owner
    port_open "$port" || return 0
    owner="$(port_owner "$port")"
    die "port $port is already taken by ${owner:-another process (run 'ss -ltnp' as root to see which)}; stop it or set $env to a free port"
}

cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null; }

# A pid counts as ours only if it is alive AND its command line names this state dir (any one of
# the markers): a reused pid or another clone's broker must never be mistaken for (or killed as)
# this one. A zombie passes kill -0 but has an empty cmdline, so it never matches.
pid_is_ours() {
    local pid="$1" marker line
    shift
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    line="$(cmdline "$pid")"
    for marker in "$@"; do
        [[ "$line" == *"$marker"* ]] && return 0
    done
    return 1
}

our_pid() {
    local pidfile="$1" pid
    shift
    [[ -f "$pidfile" ]] || return 1
    pid="$(cat "$pidfile" 2>/dev/null || true)"
    if pid_is_ours "$pid" "$@"; then
        printf '%s' "$pid"
        return 0
    fi
    rm -f "$pidfile" # stale: process gone or pid reused
    return 1
}

# If the pid file was lost (state dir partly wiped, crash mid-`up`) but the process listening on
# our port carries our marker, take it back instead of reporting our own server as a stranger.
adopt_pid() {
    local pidfile="$1" port="$2" pid
    shift 2
    [[ -f "$pidfile" ]] && return 1
    command -v ss >/dev/null 2>&1 || return 1
    pid="$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2 || true)"
    pid_is_ours "$pid" "$@" || return 1
    printf '%s\n' "$pid" >"$pidfile"
}

kafka_pid() { adopt_pid "$KAFKA_PID" "$KAFKA_PORT" "$KAFKA_PROPS" || true; our_pid "$KAFKA_PID" "$KAFKA_PROPS"; }
# "file:..." also recognises a FerretDB started by the stack.sh before --stack-state existed.
mongo_pid() {
    adopt_pid "$MONGO_PID" "$MONGO_PORT" "$MONGO_MARKER" "file:$MONGO_DATA" || true
    our_pid "$MONGO_PID" "$MONGO_MARKER" "file:$MONGO_DATA"
}
# pg_ctl keeps the postmaster's pid in the data dir; the postmaster's cmdline is "postgres -D <dir> ...".
# Never delete postmaster.pid ourselves: PostgreSQL checks and replaces a stale one on start.
pg_pid() {
    local pid
    pid="$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
    pid_is_ours "$pid" "-D $PG_DATA " || return 1
    printf '%s' "$pid"
}

kafka_ready() { port_open "$KAFKA_PORT" && grep -qF "$KAFKA_READY_LINE" "$KAFKA_LOG" 2>/dev/null; }
mongo_ready() { port_open "$MONGO_PORT"; }
# pg_isready when the binaries are known (status on a box without them just probes the port).
pg_ready() {
    port_open "$PG_PORT" || return 1
    [[ -z "$PG_BIN" ]] || "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -t 2
}

# Wait until ready_fn succeeds; fail early if the process dies, and stop it on timeout so the
# next `up` starts clean instead of adopting a wedged process.
wait_ready() {
    local name="$1" pid="$2" ready_fn="$3" timeout="$4" log="$5" deadline
    deadline=$((SECONDS + timeout))
    until "$ready_fn"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail_log "$log"
            die "$name exited during startup; see the log above ($(rel "$log"))"
        fi
        if ((SECONDS >= deadline)); then
            tail_log "$log"
            stop_pid "$pid"
            die "$name was not ready after ${timeout} s (stopped it); see the log above ($(rel "$log")), raise the timeout via env if this machine is just slow"
        fi
        sleep 0.5
    done
}

# Keep the previous run's log: when a restart fails, the earlier one usually says why.
rotate_log() { [[ -f "$1" ]] && mv -f "$1" "$1.1"; return 0; }

render_kafka_config() {
    mkdir -p "$KAFKA_DATA"
    # sed, not envsubst: gettext-base is not guaranteed on a minimal Debian.
    sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
        -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
        -e "s|@DATA_DIR@|$KAFKA_DATA|g" \
        "$HERE/kafka/server.properties" >"$KAFKA_PROPS.tmp"
    mv "$KAFKA_PROPS.tmp" "$KAFKA_PROPS"
}

format_kafka_storage() {
    local log="$STATE/logs/kafka-format.log"
    # Formatting again would need a wipe; a changed controller port is fine (single voter).
    [[ -f "$KAFKA_DATA/meta.properties" ]] && return 0
    local cluster_id
    say "formatting Kafka storage in $(rel "$KAFKA_DATA") (first start only)"
    cluster_id="$("$JAVA" -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2>"$log")" ||
        die "Kafka StorageTool random-uuid failed; see $(rel "$log")"
    "$JAVA" -cp "$KAFKA_LIB/*" -Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties" \
        kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$KAFKA_PROPS" >>"$log" 2>&1 ||
        die "formatting Kafka storage failed; see $(rel "$log")"
}

start_kafka() {
    local pid
    if pid="$(kafka_pid)"; then
        if kafka_ready; then
            say "Kafka already running (pid $pid)"
            return 0
        fi
        say "Kafka (pid $pid) is still starting; waiting"
        wait_ready Kafka "$pid" kafka_ready "$KAFKA_TIMEOUT" "$KAFKA_LOG"
        return 0
    fi
    require_free_port "$KAFKA_PORT" HOIAM_KAFKA_PORT
    require_free_port "$CONTROLLER_PORT" HOIAM_KAFKA_CONTROLLER_PORT
    find_java
    render_kafka_config
    format_kafka_storage
    rotate_log "$KAFKA_LOG"
    say "starting Kafka on 127.0.0.1:$KAFKA_PORT"
    # setsid: own session, so Ctrl-C or a closed terminal after `up` does not take the broker down.
    # In a non-interactive shell the background job is not a group leader, so setsid execs in
    # place and $! is the JVM's pid. The lock fds are closed, or the daemon would hold the lock
    # forever and the next `up` would block. JVM flags follow Kafka's own kafka-run-class.sh.
    setsid "$JAVA" -Xms256m -Xmx768m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
        -Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties" \
        -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_PROPS" >"$KAFKA_LOG" 2>&1 </dev/null 8>&- 9>&- &
    pid=$!
    printf '%s\n' "$pid" >"$KAFKA_PID"
    wait_ready Kafka "$pid" kafka_ready "$KAFKA_TIMEOUT" "$KAFKA_LOG"
}

# The backend-specific arguments; also what a running FerretDB must have been started with for
# `up` to keep it.
ferretdb_backend_args() {
    if [[ "$BACKEND" == postgresql ]]; then
        printf '%s\n' -handler postgresql -postgresql-url "$PG_URL"
    else
        printf '%s\n' -handler sqlite -sqlite-url "file:$MONGO_DATA"
    fi
}

# A FerretDB left running with another backend or PostgreSQL port would silently serve the wrong
# data, so `up` refuses it rather than reporting "already running".
require_ferretdb_matches() {
    local pid="$1" want
    want="$(ferretdb_backend_args | tail -n 1)" # the URL names both backend and location
    [[ "$(cmdline "$pid")" == *" $want "* ]] && return 0
    die "FerretDB (pid $pid) runs on $(ferretdb_running_backend "$pid") but HOIAM_FERRETDB_BACKEND=$BACKEND wants $want; run 'bash deploy/local/stack.sh down' first"
}

start_ferretdb() {
    local pid
    local -a args
    if pid="$(mongo_pid)"; then
        require_ferretdb_matches "$pid"
        if mongo_ready; then
            say "FerretDB already running (pid $pid)"
            return 0
        fi
        say "FerretDB (pid $pid) is still starting; waiting"
        wait_ready FerretDB "$pid" mongo_ready "$MONGO_TIMEOUT" "$MONGO_LOG"
        return 0
    fi
    require_free_port "$MONGO_PORT" HOIAM_MONGO_PORT
    [[ "$BACKEND" == sqlite ]] && mkdir -p "$MONGO_DATA" # the SQLite backend wants an existing directory
    mapfile -t args < <(ferretdb_backend_args)
    rotate_log "$MONGO_LOG"
    say "starting FerretDB ($BACKEND) on 127.0.0.1:$MONGO_PORT"
    setsid "$FERRETDB_BIN" -listen "127.0.0.1:$MONGO_PORT" "${args[@]}" -stack-state "$STATE" \
        >"$MONGO_LOG" 2>&1 </dev/null 8>&- 9>&- &
    pid=$!
    printf '%s\n' "$pid" >"$MONGO_PID"
    wait_ready FerretDB "$pid" mongo_ready "$MONGO_TIMEOUT" "$MONGO_LOG"
}

# PostgreSQL refuses to run as root; as root, run its tools as the postgres user that Debian's
# package creates. cd /: runuser keeps the cwd, which postgres may not be allowed to enter.
as_pg() {
    if ((EUID == 0)); then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Decide where the cluster lives before its first initdb (see the header); later runs follow
# postgres.location or the existing <state>/postgres/data.
pg_choose_data_dir() {
    [[ -f "$PG_LOCATION" || -f "$PG_DATA/PG_VERSION" ]] && return 0
    ((EUID == 0)) || return 0 # we run it ourselves: <state>/postgres/data is reachable by definition
    id -u postgres >/dev/null 2>&1 ||
        die "running as root but there is no 'postgres' user to run PostgreSQL as (reinstall postgresql-15, or set HOIAM_FERRETDB_BACKEND=sqlite)"
    # test -x fails unless every folder on the way can be searched, so this checks the whole path.
    if (cd / && runuser -u postgres -- test -x "$STATE"); then
        mkdir -p "$STATE/postgres"
        chown postgres:postgres "$STATE/postgres"
        chmod 0700 "$STATE/postgres"
        return 0
    fi
    local base=/var/tmp/hoi-am-postgres hash
    hash="$(printf '%s' "$STATE" | sha256sum | cut -c1-12)"
    say "the postgres user cannot reach $(rel "$STATE") (a 0700 folder on the way); keeping PostgreSQL data in $base/$hash"
    install -d -m 0755 "$base"
    install -d -m 0700 -o postgres -g postgres "$base/$hash"
    PG_DATA="$base/$hash/data"
    printf '%s\n' "$PG_DATA" >"$PG_LOCATION"
}

pg_init() {
    local log="$STATE/logs/postgresql-initdb.log" have
    if [[ -f "$PG_DATA/PG_VERSION" ]]; then
        have="$(cat "$PG_DATA/PG_VERSION")"
        [[ "$have" == "$PG_MAJOR" ]] ||
            die "$PG_DATA holds a PostgreSQL $have cluster but $PG_BIN is $PG_MAJOR; install postgresql-$have or drop the data with 'bash deploy/local/stack.sh down --purge'"
        return 0
    fi
    pg_choose_data_dir
    say "initialising PostgreSQL $PG_MAJOR cluster in $(rel "$PG_DATA") (first start only)"
    # trust: the cluster listens on 127.0.0.1 only and holds throwaway dev data; locale C is
    # always available and FerretDB does its own ordering.
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C >"$log" 2>&1 </dev/null ||
        die "initdb failed; see $(rel "$log")"
}

pg_create_database() {
    local psql=("$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres) exists
    exists="$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'ferretdb'" 2>&1)" ||
        die "cannot query PostgreSQL on 127.0.0.1:$PG_PORT: $exists"
    [[ "$exists" == 1 ]] && return 0
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres ferretdb ||
        die "createdb ferretdb failed on 127.0.0.1:$PG_PORT"
}

# GIN companions for FerretDB's indexes, so its lookups stop scanning (postgres/lookup-indexes.sql).
pg_install_lookup_indexes() {
    local out
    out="$("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres \
        -d ferretdb -f "$HERE/postgres/lookup-indexes.sql" 2>&1)" ||
        die "installing the lookup indexes in PostgreSQL failed: $out"
}

start_postgres() {
    local pid
    if pid="$(pg_pid)"; then
        [[ "$(cmdline "$pid")" == *" -p $PG_PORT "* ]] ||
            die "our PostgreSQL (pid $pid) listens on another port than HOIAM_PG_PORT=$PG_PORT; run 'bash deploy/local/stack.sh down' first"
        if pg_ready; then
            say "PostgreSQL already running (pid $pid)"
        else
            say "PostgreSQL (pid $pid) is still starting; waiting"
            wait_ready PostgreSQL "$pid" pg_ready "$PG_TIMEOUT" "$PG_LOG"
        fi
        pg_create_database
        pg_install_lookup_indexes
        return 0
    fi
    require_free_port "$PG_PORT" HOIAM_PG_PORT
    pg_init
    rotate_log "$PG_LOG"
    say "starting PostgreSQL $PG_MAJOR on 127.0.0.1:$PG_PORT"
    # No -l: the postmaster inherits pg_ctl's stdout, a log file we open here, so it works even
    # where the postgres user could not open a file under the state dir. TCP only, no socket
    # file to clash with a system cluster. -w returns once postmaster.pid says "ready"; pg_ctl
    # starts the postmaster in its own session and the lock fds are closed as for the others.
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -t "$PG_TIMEOUT" \
        -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" \
        start >"$PG_LOG" 2>&1 </dev/null 8>&- 9>&-; then
        tail_log "$PG_LOG"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 </dev/null || true
        die "PostgreSQL did not start within ${PG_TIMEOUT} s (stopped it); see the log above ($(rel "$PG_LOG"))"
    fi
    pid="$(pg_pid)" || die "pg_ctl reported PostgreSQL started but no postmaster runs for $(rel "$PG_DATA"); see $(rel "$PG_LOG")"
    wait_ready PostgreSQL "$pid" pg_ready "$PG_TIMEOUT" "$PG_LOG"
    pg_create_database
    pg_install_lookup_indexes
}

# Fast shutdown: disconnect clients, checkpoint, exit. Immediate (crash-like, recovered on the
# next start) only if that hangs.
stop_postgres() {
    local pid
    if ! pid="$(pg_pid)"; then
        say "PostgreSQL not running"
        return 0
    fi
    say "stopping PostgreSQL (pid $pid)"
    if [[ -n "$PG_BIN" ]] &&
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$STOP_TIMEOUT" stop >>"$PG_LOG" 2>&1 </dev/null; then
        return 0
    fi
    say "PostgreSQL (pid $pid) did not stop in ${STOP_TIMEOUT} s; sending SIGQUIT (immediate shutdown)"
    kill -QUIT "$pid" 2>/dev/null || true
}

# SIGTERM lets Kafka close its logs cleanly (no recovery on next start) and FerretDB flush SQLite.
stop_pid() {
    local pid="$1" deadline
    kill -TERM "$pid" 2>/dev/null || return 0
    deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            say "pid $pid ignored SIGTERM for ${STOP_TIMEOUT} s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
}

stop_component() {
    local name="$1" pidfile="$2" pid_fn="$3" pid
    if pid="$("$pid_fn")"; then
        say "stopping $name (pid $pid)"
        stop_pid "$pid"
    else
        say "$name not running"
    fi
    rm -f "$pidfile"
}

# ---------------------------------------------------------------- commands

cmd_build() {
    build_all
    say "build ready (cache: $CACHE)"
}

cmd_up() {
    local started=$SECONDS pid store
    mkdir -p "$STATE/kafka" "$STATE/logs" "$STATE/run"
    lock 9 "$STATE/run/stack.lock"
    # Check every port (and a FerretDB left on the other backend) before building or starting
    # anything, so a conflict on the last one does not leave the first component half up.
    if ! kafka_pid >/dev/null; then
        require_free_port "$KAFKA_PORT" HOIAM_KAFKA_PORT
        require_free_port "$CONTROLLER_PORT" HOIAM_KAFKA_CONTROLLER_PORT
    fi
    if pid="$(mongo_pid)"; then
        require_ferretdb_matches "$pid"
    else
        require_free_port "$MONGO_PORT" HOIAM_MONGO_PORT
    fi
    if [[ "$BACKEND" == postgresql ]]; then
        pg_pid >/dev/null || require_free_port "$PG_PORT" HOIAM_PG_PORT
    fi
    build_all
    start_kafka
    if [[ "$BACKEND" == postgresql ]]; then
        start_postgres
        store="FerretDB 1.24 on PostgreSQL $PG_MAJOR (127.0.0.1:$PG_PORT, data $(rel "$PG_DATA"), log $(rel "$PG_LOG"))"
    else
        store="FerretDB 1.24 on SQLite in $(rel "$MONGO_DATA")"
    fi
    start_ferretdb
    say "up in $((SECONDS - started)) s"
    printf '  %-9s %-28s %s\n' \
        Kafka "127.0.0.1:$KAFKA_PORT" "KRaft, controller 127.0.0.1:$CONTROLLER_PORT; log $(rel "$KAFKA_LOG")" \
        MongoDB "mongodb://127.0.0.1:$MONGO_PORT/" "$store; log $(rel "$MONGO_LOG")"
    printf '  %-9s %s\n' stop: "bash deploy/local/stack.sh down"
}

cmd_down() {
    local purge=0
    case "${1:-}" in
    "") ;;
    --purge) purge=1 ;;
    *) usage ;;
    esac
    if [[ ! -d "$STATE" ]]; then
        say "nothing to stop (no $STATE)"
        return 0
    fi
    lock 9 "$STATE/run/stack.lock"
    find_postgres || true # pg_ctl for a clean stop; whatever the backend, a running cluster of ours stops
    # FerretDB first: it is the client of PostgreSQL, and stops cleanly only while its backend is up.
    stop_component FerretDB "$MONGO_PID" mongo_pid
    stop_component Kafka "$KAFKA_PID" kafka_pid
    stop_postgres
    if ((purge)); then
        if pg_pid >/dev/null; then
            die "PostgreSQL still runs on $(rel "$PG_DATA"); not purging its data (see $(rel "$PG_LOG"))"
        fi
        # Only our own subfolders: HOIAM_STATE_DIR may point somewhere shared. The /var/tmp
        # fallback is removed only in the shape pg_choose_data_dir gives it.
        if [[ -f "$PG_LOCATION" ]]; then
            case "$PG_DATA" in
            /var/tmp/hoi-am-postgres/*/data) rm -rf "$(dirname "$PG_DATA")" ;;
            *) say "not removing $PG_DATA named by $(rel "$PG_LOCATION"): not a folder stack.sh creates" ;;
            esac
            rm -f "$PG_LOCATION"
        fi
        rm -rf "${STATE:?}/kafka" "${STATE:?}/ferretdb" "${STATE:?}/postgres" "${STATE:?}/logs"
        say "purged Kafka, FerretDB and PostgreSQL data and logs under $(rel "$STATE")"
    fi
}

cmd_status() {
    local rc=0 pid
    if pid="$(kafka_pid)" && kafka_ready; then
        say "Kafka      running  pid $pid  127.0.0.1:$KAFKA_PORT (controller $CONTROLLER_PORT)"
    elif [[ -n "${pid:-}" ]]; then
        say "Kafka      starting pid $pid  (not ready yet; log $(rel "$KAFKA_LOG"))"
        rc=3
    else
        say "Kafka      stopped"
        rc=3
    fi
    pid=""
    if pid="$(mongo_pid)" && mongo_ready; then
        say "FerretDB   running  pid $pid  mongodb://127.0.0.1:$MONGO_PORT/ ($(ferretdb_running_backend "$pid"))"
    elif [[ -n "${pid:-}" ]]; then
        say "FerretDB   starting pid $pid  (not ready yet; log $(rel "$MONGO_LOG"))"
        rc=3
    else
        say "FerretDB   stopped"
        rc=3
    fi
    pid=""
    find_postgres || true
    if pid="$(pg_pid)" && pg_ready; then
        say "PostgreSQL running  pid $pid  127.0.0.1:$PG_PORT (data $(rel "$PG_DATA"))"
    elif [[ -n "${pid:-}" ]]; then
        say "PostgreSQL starting pid $pid  (not ready on 127.0.0.1:$PG_PORT; log $(rel "$PG_LOG"))"
        [[ "$BACKEND" == postgresql ]] && rc=3
    elif [[ "$BACKEND" == postgresql ]]; then
        say "PostgreSQL stopped"
        rc=3
    else
        say "PostgreSQL not used (HOIAM_FERRETDB_BACKEND=sqlite)"
    fi
    return "$rc"
}

ferretdb_running_backend() {
    case "$(cmdline "$1")" in
    *" -handler postgresql "*) printf 'PostgreSQL' ;;
    *) printf 'SQLite' ;;
    esac
}

usage() {
    printf '%s\n' "usage: $0 up | down [--purge] | status | build" >&2
    exit 2
}

main() {
    local cmd="${1:-}"
    case "$BACKEND" in
    postgresql | sqlite) ;;
    *) die "HOIAM_FERRETDB_BACKEND must be postgresql or sqlite, not '$BACKEND'" ;;
    esac
    [[ $# -gt 0 ]] && shift
    case "$cmd" in
    up) [[ $# -eq 0 ]] || usage; cmd_up ;;
    down) cmd_down "$@" ;;
    status) [[ $# -eq 0 ]] || usage; cmd_status ;;
    build) [[ $# -eq 0 ]] || usage; cmd_build ;;
    *) usage ;;
    esac
}

main "$@"
