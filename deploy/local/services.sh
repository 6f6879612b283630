#!/usr/bin/env bash
# Starts and stops the four services (uvicorn), the demo mail catcher and the fake Zalo/Meta/SMS
# providers on 127.0.0.1.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="${HOIAM_STATE_DIR:-$repo/.local}"
run="$state/run"
logs="$state/logs"
venv="$repo/.venv/bin"
mail_port="${HOIAM_MAIL_PORT:-2525}"
fake_port="${HOIAM_FAKE_PROVIDERS_PORT:-8790}"
fake_url="http://127.0.0.1:$fake_port"

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
  "HOIAM_NOTIFIER_QUIET_START_HOUR=${HOIAM_NOTIFIER_QUIET_START_HOUR:-0}"
  "HOIAM_NOTIFIER_QUIET_END_HOUR=${HOIAM_NOTIFIER_QUIET_END_HOUR:-0}"
)

# Local-only credentials shared with demo.py (same default there): the Zalo OA and Facebook app
# secrets intake checks webhook signatures with, and the operators' bearer token. Never real ones.
demo_secret="${HOIAM_DEMO_SECRET:-local-demo-only}"
demo_zalo_app="${HOIAM_DEMO_ZALO_APP_ID:-1234567890123456789}"
# The key of the console's person tokens, the same in every service that signs or checks them.
person_secret="${HOIAM_DEMO_PERSON_TOKEN_SECRET:-local-demo-only-person-token-secret}"
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
)
console_env=("HOIAM_CONSOLE_PERSON_TOKEN_SECRET=$person_secret")
# Bodies' emails link to the console ("Xem và trả lời").
notifier_env+=("HOIAM_NOTIFIER_CONSOLE_BASE_URL=http://127.0.0.1:8004")
# Citizens' messages link to their status page, which the console serves (/t/HA-...).
notifier_env+=("HOIAM_NOTIFIER_PUBLIC_BASE_URL=http://127.0.0.1:8004")

# name:port — the ports are each service's default HTTP port (settings.py).
services=(intake:8001 router:8002 notifier:8003 console:8004)

say() { echo "services: $*"; }
die() { echo "services: ERROR: $*" >&2; exit 1; }

alive() { [ -f "$run/$1.pid" ] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local name="$1" port="$2"; shift 2
  if alive "$name"; then say "$name already running (pid $(cat "$run/$name.pid"))"; return; fi
  if port_taken "$port"; then
    die "port $port (for $name) is taken by another process; stop it or run 'make down'"
  fi
  nohup "$@" >"$logs/$name.log" 2>&1 &
  echo $! >"$run/$name.pid"
}

wait_healthy() {
  local name="$1" port="$2"
  for _ in $(seq 1 120); do
    if "$venv/python" - "$port" <<'PY' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=2)
PY
    alive "$name" || { tail -n 20 "$logs/$name.log" >&2; die "$name exited; log: $logs/$name.log"; }
    sleep 0.5
  done
  tail -n 20 "$logs/$name.log" >&2
  die "$name not healthy after 60 s; log: $logs/$name.log"
}

up() {
  [ -x "$venv/python" ] || die "no .venv yet: run 'make setup'"
  mkdir -p "$run" "$logs" "$state/mail"
  start mailcatcher "$mail_port" "$venv/python" "$repo/deploy/local/mailcatcher.py" \
    --port "$mail_port" --folder "$state/mail"
  start fakeproviders "$fake_port" "$venv/python" "$repo/deploy/local/fake_providers.py" \
    --port "$fake_port"
  local extra
  for entry in "${services[@]}"; do
    extra=()
    case "${entry%%:*}" in
      intake) extra=("${intake_env[@]}") ;;
      router) extra=("${router_env[@]}") ;;
      notifier) extra=("${notifier_env[@]}") ;;
      console) extra=("${console_env[@]}") ;;
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
  local name="$1" pid
  alive "$name" || { rm -f "$run/$name.pid"; return; }
  pid="$(cat "$run/$name.pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$run/$name.pid"
  say "stopped $name"
}

down() {
  for entry in "${services[@]}"; do stop_one "${entry%%:*}"; done
  stop_one mailcatcher
  stop_one fakeproviders
}

status() {
  local rc=0 entry
  for entry in "${services[@]}" "mailcatcher:$mail_port" "fakeproviders:$fake_port"; do
    if alive "${entry%%:*}"; then
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
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
