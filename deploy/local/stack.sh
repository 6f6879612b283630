#!/usr/bin/env bash
# Local dev stack without Docker: a real Kafka 4.1 (KRaft) and FerretDB (MongoDB wire, SQLite) on 127.0.0.1.
#
# Usage: stack.sh up | down [--purge] | status | build
#
# Kafka comes from Maven Central (kafka/pom.xml) and FerretDB from the Go module proxy
# (ferretdb/main.go), because those registries are the only network a fresh CI box is sure to have.
# Builds go to a per-user cache shared by every clone; data, logs and pid files stay in the clone.
#
# Environment (defaults in brackets):
#   HOIAM_STATE_DIR               data, logs, pids [<repo>/.local]
#   HOIAM_CACHE_DIR               resolved Kafka jars, FerretDB binary [${XDG_CACHE_HOME:-~/.cache}/hoi-am]
#   HOIAM_KAFKA_PORT              [9092]    HOIAM_KAFKA_CONTROLLER_PORT [9093]
#   HOIAM_MONGO_PORT              [27017]
#   HOIAM_KAFKA_START_TIMEOUT     seconds [120]   HOIAM_MONGO_START_TIMEOUT seconds [60]
#
# Exit codes: 0 ok, 1 failure (one line says what to do), 2 usage, 3 `status` with something down.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

KAFKA_VERSION="4.1.1" # keep in sync with kafka.version in kafka/pom.xml
KAFKA_PORT="${HOIAM_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${HOIAM_KAFKA_CONTROLLER_PORT:-9093}"
MONGO_PORT="${HOIAM_MONGO_PORT:-27017}"
KAFKA_TIMEOUT="${HOIAM_KAFKA_START_TIMEOUT:-120}"
MONGO_TIMEOUT="${HOIAM_MONGO_START_TIMEOUT:-60}"
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

# Filled in by the build step.
KAFKA_LIB=""
FERRETDB_BIN=""

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

# A pid counts as ours only if it is alive AND its command line names this state dir: a reused
# pid or another clone's broker must never be mistaken for (or killed as) this one.
our_pid() {
    local pidfile="$1" marker="$2" pid
    [[ -f "$pidfile" ]] || return 1
    pid="$(cat "$pidfile" 2>/dev/null || true)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"; then
        printf '%s' "$pid"
        return 0
    fi
    rm -f "$pidfile" # stale: process gone or pid reused
    return 1
}

# If the pid file was lost (state dir partly wiped, crash mid-`up`) but the process listening on
# our port carries our marker, take it back instead of reporting our own server as a stranger.
adopt_pid() {
    local pidfile="$1" marker="$2" port="$3" pid
    [[ -f "$pidfile" ]] && return 1
    command -v ss >/dev/null 2>&1 || return 1
    pid="$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2 || true)"
    [[ -n "$pid" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
    printf '%s\n' "$pid" >"$pidfile"
}

kafka_pid() { adopt_pid "$KAFKA_PID" "$KAFKA_PROPS" "$KAFKA_PORT" || true; our_pid "$KAFKA_PID" "$KAFKA_PROPS"; }
mongo_pid() { adopt_pid "$MONGO_PID" "file:$MONGO_DATA" "$MONGO_PORT" || true; our_pid "$MONGO_PID" "file:$MONGO_DATA"; }

kafka_ready() { port_open "$KAFKA_PORT" && grep -qF "$KAFKA_READY_LINE" "$KAFKA_LOG" 2>/dev/null; }
mongo_ready() { port_open "$MONGO_PORT"; }

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

start_ferretdb() {
    local pid
    if pid="$(mongo_pid)"; then
        if mongo_ready; then
            say "FerretDB already running (pid $pid)"
            return 0
        fi
        say "FerretDB (pid $pid) is still starting; waiting"
        wait_ready FerretDB "$pid" mongo_ready "$MONGO_TIMEOUT" "$MONGO_LOG"
        return 0
    fi
    require_free_port "$MONGO_PORT" HOIAM_MONGO_PORT
    mkdir -p "$MONGO_DATA" # FerretDB's SQLite backend wants an existing directory
    rotate_log "$MONGO_LOG"
    say "starting FerretDB on 127.0.0.1:$MONGO_PORT"
    setsid "$FERRETDB_BIN" -listen "127.0.0.1:$MONGO_PORT" -sqlite-url "file:$MONGO_DATA" \
        >"$MONGO_LOG" 2>&1 </dev/null 8>&- 9>&- &
    pid=$!
    printf '%s\n' "$pid" >"$MONGO_PID"
    wait_ready FerretDB "$pid" mongo_ready "$MONGO_TIMEOUT" "$MONGO_LOG"
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
    local started=$SECONDS
    mkdir -p "$STATE/kafka" "$STATE/ferretdb" "$STATE/logs" "$STATE/run"
    lock 9 "$STATE/run/stack.lock"
    # Check every port before building or starting anything, so a conflict on the last one
    # does not leave the first component half up.
    if ! kafka_pid >/dev/null; then
        require_free_port "$KAFKA_PORT" HOIAM_KAFKA_PORT
        require_free_port "$CONTROLLER_PORT" HOIAM_KAFKA_CONTROLLER_PORT
    fi
    mongo_pid >/dev/null || require_free_port "$MONGO_PORT" HOIAM_MONGO_PORT
    build_all
    start_kafka
    start_ferretdb
    say "up in $((SECONDS - started)) s"
    printf '  %-9s %-28s %s\n' \
        Kafka "127.0.0.1:$KAFKA_PORT" "KRaft, controller 127.0.0.1:$CONTROLLER_PORT; log $(rel "$KAFKA_LOG")" \
        MongoDB "mongodb://127.0.0.1:$MONGO_PORT/" "FerretDB 1.24, SQLite in $(rel "$MONGO_DATA"); log $(rel "$MONGO_LOG")"
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
    stop_component Kafka "$KAFKA_PID" kafka_pid
    stop_component FerretDB "$MONGO_PID" mongo_pid
    if ((purge)); then
        # Only our own subfolders: HOIAM_STATE_DIR may point somewhere shared.
        rm -rf "${STATE:?}/kafka" "${STATE:?}/ferretdb" "${STATE:?}/logs"
        say "purged Kafka and FerretDB data and logs under $(rel "$STATE")"
    fi
}

cmd_status() {
    local rc=0 pid
    if pid="$(kafka_pid)" && kafka_ready; then
        say "Kafka     running  pid $pid  127.0.0.1:$KAFKA_PORT (controller $CONTROLLER_PORT)"
    elif [[ -n "${pid:-}" ]]; then
        say "Kafka     starting pid $pid  (not ready yet; log $(rel "$KAFKA_LOG"))"
        rc=3
    else
        say "Kafka     stopped"
        rc=3
    fi
    pid=""
    if pid="$(mongo_pid)" && mongo_ready; then
        say "FerretDB  running  pid $pid  mongodb://127.0.0.1:$MONGO_PORT/"
    elif [[ -n "${pid:-}" ]]; then
        say "FerretDB  starting pid $pid  (not ready yet; log $(rel "$MONGO_LOG"))"
        rc=3
    else
        say "FerretDB  stopped"
        rc=3
    fi
    return "$rc"
}

usage() {
    printf '%s\n' "usage: $0 up | down [--purge] | status | build" >&2
    exit 2
}

main() {
    local cmd="${1:-}"
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
