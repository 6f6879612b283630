#!/usr/bin/env bash
# Starts and stops the four services (uvicorn), the demo mail catcher and the fake Zalo/Meta/SMS
# providers on 127.0.0.1.
#
# Usage: services.sh up | down | status | list
#
# Environment (defaults in brackets), so a second stack (make chaos) runs beside the first:
#   HOIAM_STATE_DIR             pids and logs [<repo>/.local]; down/status touch only these pids
#   HOIAM_KAFKA_PORT [9092]     HOIAM_MONGO_PORT [27017]  the stack.sh the services talk to
#   HOIAM_MAIL_PORT [2525]      HOIAM_FAKE_PROVIDERS_PORT [8790]
#   HOIAM_SERVICE_START_TIMEOUT seconds a service may take to answer /health [300]
#   HOIAM_<SERVICE>_HTTP_PORT   each service's port [the one in `services` below]
#   HOIAM_<SERVICE>_KAFKA_BOOTSTRAP_SERVERS, HOIAM_<SERVICE>_MONGO_URL  override the two above
# `list` prints name:port of each service, one a line (deploy/local/chaos.py reads it).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="$(realpath -m "${HOIAM_STATE_DIR:-$repo/.local}")"
run="$state/run"
logs="$state/logs"
venv="$repo/.venv/bin"
mail_port="${HOIAM_MAIL_PORT:-2525}"
fake_port="${HOIAM_FAKE_PROVIDERS_PORT:-8790}"
fake_url="http://127.0.0.1:$fake_port"
kafka_port="${HOIAM_KAFKA_PORT:-9092}"
mongo_port="${HOIAM_MONGO_PORT:-27017}"
# The router trains its routing model at a start that finds no cached one (.local/cache): seconds
# when idle, minutes on a busy machine.
start_timeout="${HOIAM_SERVICE_START_TIMEOUT:-300}"

# The notifier talks to the fake providers exactly as it would to Zalo, Meta and an SMS gateway:
# only the base URLs and the (fake) credentials differ. Quiet hours (21:00-07:00 for SMS and Zalo)
# are off here so the demo shows a Zalo answer at any hour; set both hours to 21 and 7 to see them.
notifier_env=(
  "HOIAM_NOTIFIER_ZALO_API_BASE=$fake_url/zalo"
  "HOIAM_NOTIFIER_ZNS_API_BASE=$fake_url/zns"
  "HOIAM_NOTIFIER_ZALO_OAUTH_BASE=$fake_url/oauth"
  "HOIAM_NOTIFIER_ZALO_APP_ID=fake-app-id"
  "HOIAM_NOTIFIER_ZALO_SECRET_KEY=fake-secret-key"
  "HOIAM_NOTIFIER_ZALO_ACCESS_TOKEN=fake-zalo-access-0"
  "HOIAM_NOTIFIER_ZALO_REFRESH_TOKEN=fake-zalo-refresh-0"
  "HOIAM_NOTIFIER_ZALO_ACCESS_TOKEN_EXPIRES_AT=2099-01-01T00:00:00+00:00"
  "HOIAM_NOTIFIER_ZALO_ZNS_TEMPLATE_ID=fake-template-1"
  "HOIAM_NOTIFIER_GRAPH_API_BASE=$fake_url/graph/v21.0"
  "HOIAM_NOTIFIER_FACEBOOK_PAGE_TOKEN=fake-page-token"
  "HOIAM_NOTIFIER_SMS_API_URL=$fake_url/sms/send"
  "HOIAM_NOTIFIER_SMS_API_TOKEN=fake-sms-token"
  "HOIAM_NOTIFIER_SMTP_PORT=${HOIAM_NOTIFIER_SMTP_PORT:-$mail_port}"
  "HOIAM_NOTIFIER_QUIET_START_HOUR=${HOIAM_NOTIFIER_QUIET_START_HOUR:-0}"
  "HOIAM_NOTIFIER_QUIET_END_HOUR=${HOIAM_NOTIFIER_QUIET_END_HOUR:-0}"
)

# Local-only credentials shared with demo.py (same default there): the Zalo OA and Facebook app
# secrets intake checks webhook signatures with, and the operators' bearer token. Never real ones.
demo_secret="${HOIAM_DEMO_SECRET:-local-demo-only}"
demo_zalo_app="${HOIAM_DEMO_ZALO_APP_ID:-1234567890123456789}"
# The key of the console's person tokens, the same in every service that signs or checks them.
person_secret="${HOIAM_DEMO_PERSON_TOKEN_SECRET:-local-demo-only-person-token-secret}"
# The key of contact digests in the vault of citizens' data keys, the same in every service.
vault_secret="${HOIAM_DEMO_VAULT_SECRET:-local-demo-only-vault-secret}"
intake_env=(
  "HOIAM_INTAKE_ID_SECRET=$demo_secret"
  "HOIAM_INTAKE_ZALO_APP_ID=$demo_zalo_app"
  "HOIAM_INTAKE_ZALO_OA_SECRET=$demo_secret"
  "HOIAM_INTAKE_FACEBOOK_APP_SECRET=$demo_secret"
  "HOIAM_INTAKE_FACEBOOK_VERIFY_TOKEN=$demo_secret"
  "HOIAM_INTAKE_OPERATOR_TOKEN=$demo_secret"
  "HOIAM_INTAKE_PERSON_TOKEN_SECRET=$person_secret"
  # The demo's hotline, Zalo OA and Facebook Page belong to Vĩnh Long (code 86).
  'HOIAM_INTAKE_ACCOUNT_PROVINCES={"1900":"86","579745863508352884":"86","106540352242922":"86"}'
  # The demo and the bench post everything from this machine, the demo as the same citizens
  # each run: no rate limit for loopback here (a deployment keeps the defaults).
  'HOIAM_INTAKE_RATE_EXEMPT_IPS=["127.0.0.1"]'
  'HOIAM_INTAKE_RATE_PER_CONTACT=0'
  # A Zalo/Messenger conversation becomes one item once its sender is quiet this long (120 s
  # by default); shorter for the demo, which sends one message per sender.
  "HOIAM_INTAKE_GATHER_SECONDS=${HOIAM_INTAKE_GATHER_SECONDS:-5}"
)
router_env=(
  "HOIAM_ROUTER_OPERATOR_TOKEN=$demo_secret"
  "HOIAM_ROUTER_PERSON_TOKEN_SECRET=$person_secret"
  # The fitted routing model, shared by every stack of this checkout (make chaos's too): only
  # the first start after a change of the data, directory or code trains.
  "HOIAM_ROUTER_MODEL_CACHE_DIR=${HOIAM_ROUTER_MODEL_CACHE_DIR:-$repo/.local/cache}"
)
# Bodies' emails link to the console ("Xem và trả lời") and citizens' messages to their status page
# (/t/HA-...), which the console serves; the console calls intake and the router
# (both URLs follow the ports in effect, set below where each service starts).
# A local Open311 client key, like the person-token secret: for this machine only.
console_env=("HOIAM_CONSOLE_PERSON_TOKEN_SECRET=$person_secret"
  'HOIAM_CONSOLE_OPEN311_API_KEYS={"local-demo": "local-demo-only-open311-key"}')

# name:port — the ports are each service's default HTTP port (settings.py).
services=(intake:8001 router:8002 notifier:8003 console:8004)

# A service's port: HOIAM_<NAME>_HTTP_PORT when set, else the one in `services`.
port_of() {
  local entry="$1" var
  var="HOIAM_$(printf '%s' "${entry%%:*}" | tr '[:lower:]' '[:upper:]')_HTTP_PORT"
  printf '%s' "${!var:-${entry##*:}}"
}

# Where each service finds Kafka and MongoDB: this stack's ports unless the service's own
# variable says otherwise (a remote broker).
store_env() {
  local upper var
  upper="$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')"
  var="HOIAM_${upper}_KAFKA_BOOTSTRAP_SERVERS"
  printf '%s\n' "$var=${!var:-127.0.0.1:$kafka_port}"
  var="HOIAM_${upper}_MONGO_URL"
  printf '%s\n' "$var=${!var:-mongodb://127.0.0.1:$mongo_port/}"
}

# The ports in effect, so every loop below (and `list`) uses the same ones.
mapfile -t services < <(for entry in "${services[@]}"; do printf '%s\n' "${entry%%:*}:$(port_of "$entry")"; done)

say() { echo "services: $*"; }
die() { echo "services: ERROR: $*" >&2; exit 1; }

# Ours only if the pid is alive and its command line names its port (`--port N`): a pid file
# left by a crash whose number was reused by another process is not mistaken for ours.
alive() {
  local pid
  [ -f "$run/$1.pid" ] || return 1
  pid="$(cat "$run/$1.pid")"
  kill -0 "$pid" 2>/dev/null || return 1
  [ -z "${2:-}" ] && return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--port $2 "
}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local name="$1" port="$2"; shift 2
  if alive "$name" "$port"; then say "$name already running (pid $(cat "$run/$name.pid"))"; return; fi
  if port_taken "$port"; then
    die "port $port (for $name) is taken by another process; stop it or run 'make down'"
  fi
  nohup "$@" >"$logs/$name.log" 2>&1 &
  echo $! >"$run/$name.pid"
}

wait_healthy() {
  local name="$1" port="$2" deadline=$((SECONDS + start_timeout))
  while ((SECONDS < deadline)); do
    if "$venv/python" - "$port" <<'PY' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=2)
PY
    alive "$name" "$port" || { tail -n 20 "$logs/$name.log" >&2; die "$name exited; log: $logs/$name.log"; }
    sleep 0.5
  done
  tail -n 20 "$logs/$name.log" >&2
  die "$name not healthy after $start_timeout s (HOIAM_SERVICE_START_TIMEOUT); log: $logs/$name.log"
}

up() {
  [ -x "$venv/python" ] || die "no .venv yet: run 'make setup'"
  mkdir -p "$run" "$logs" "$state/mail"
  start mailcatcher "$mail_port" "$venv/python" "$repo/deploy/local/mailcatcher.py" \
    --port "$mail_port" --folder "$state/mail"
  start fakeproviders "$fake_port" "$venv/python" "$repo/deploy/local/fake_providers.py" \
    --port "$fake_port"
  local extra svc
  for entry in "${services[@]}"; do
    mapfile -t extra < <(store_env "${entry%%:*}")
    # Every service seals and opens citizens' personal data through the one vault (issue 12).
    svc="${entry%%:*}"
    extra+=("HOIAM_${svc^^}_VAULT_SECRET=$vault_secret")
    case "${entry%%:*}" in
      intake) extra+=("${intake_env[@]}") ;;
      router) extra+=("${router_env[@]}") ;;
      notifier)
        extra+=("${notifier_env[@]}"
          "HOIAM_NOTIFIER_CONSOLE_BASE_URL=http://127.0.0.1:$(port_of console:8004)"
          "HOIAM_NOTIFIER_PUBLIC_BASE_URL=http://127.0.0.1:$(port_of console:8004)") ;;
      console)
        extra+=("${console_env[@]}"
          "HOIAM_CONSOLE_INTAKE_URL=http://127.0.0.1:$(port_of intake:8001)"
          "HOIAM_CONSOLE_ROUTER_URL=http://127.0.0.1:$(port_of router:8002)") ;;
    esac
    start "${entry%%:*}" "${entry##*:}" env "${extra[@]}" "$venv/uvicorn" \
      --factory "hoiam_${entry%%:*}.app:create_app" \
      --host 127.0.0.1 --port "${entry##*:}" --no-access-log
  done
  for entry in "${services[@]}"; do wait_healthy "${entry%%:*}" "${entry##*:}"; done
  for entry in "${services[@]}"; do
    say "${entry%%:*} http://127.0.0.1:${entry##*:}  (/health /metrics /docs)"
  done
  say "mail catcher smtp://127.0.0.1:$mail_port → $state/mail/"
  say "fake Zalo/Meta/SMS providers $fake_url  (GET /_received)"
}

stop_one() {
  local name="$1" port="$2" pid
  alive "$name" "$port" || { rm -f "$run/$name.pid"; return; }
  pid="$(cat "$run/$name.pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$run/$name.pid"
  say "stopped $name"
}

down() {
  for entry in "${services[@]}"; do stop_one "${entry%%:*}" "${entry##*:}"; done
  stop_one mailcatcher "$mail_port"
  stop_one fakeproviders "$fake_port"
}

status() {
  local rc=0 entry
  for entry in "${services[@]}" "mailcatcher:$mail_port" "fakeproviders:$fake_port"; do
    if alive "${entry%%:*}" "${entry##*:}"; then
      say "${entry%%:*} running pid $(cat "$run/${entry%%:*}.pid") port ${entry##*:}"
    else
      say "${entry%%:*} stopped"; rc=3
    fi
  done
  return "$rc"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  list) printf '%s\n' "${services[@]}" ;;
  *) echo "usage: $0 up|down|status|list" >&2; exit 2 ;;
esac
