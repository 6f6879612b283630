#!/usr/bin/env bash
# Starts and stops the three services (uvicorn) and the demo mail catcher on 127.0.0.1.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="${HOIAM_STATE_DIR:-$repo/.local}"
run="$state/run"
logs="$state/logs"
venv="$repo/.venv/bin"
mail_port="${HOIAM_MAIL_PORT:-2525}"

# name:port — the ports are each service's default HTTP port (settings.py).
services=(intake:8001 router:8002 notifier:8003)

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
  for entry in "${services[@]}"; do
    start "${entry%%:*}" "${entry##*:}" "$venv/uvicorn" --factory "hoiam_${entry%%:*}.app:create_app" \
      --host 127.0.0.1 --port "${entry##*:}" --no-access-log
  done
  for entry in "${services[@]}"; do wait_healthy "${entry%%:*}" "${entry##*:}"; done
  for entry in "${services[@]}"; do
    say "${entry%%:*} http://127.0.0.1:${entry##*:}  (/health /metrics /docs)"
  done
  say "mail catcher smtp://127.0.0.1:$mail_port → $state/mail/"
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
}

status() {
  local rc=0 entry
  for entry in "${services[@]}" "mailcatcher:$mail_port"; do
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
