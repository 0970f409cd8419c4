#!/usr/bin/env bash
# Tunnel guard: takes this node's cloudflared connector out of the tunnel while the local API is
# unhealthy. Cloudflare keeps sending a share of traffic to every *connected* replica, whatever the
# app behind it answers (cloudflared issues #434, #725), so a dead API behind a live connector means
# 502s for users. Stopping cloudflared (its --grace-period drains in-flight requests) makes the edge
# send everything to the other node; starting it again re-adds this node once the API recovers.
set -euo pipefail

GUARD_HEALTH_URL="${GUARD_HEALTH_URL:-http://localhost:3001/health}"
GUARD_HEALTH_CMD="${GUARD_HEALTH_CMD:-}"
GUARD_HEALTH_TIMEOUT_S="${GUARD_HEALTH_TIMEOUT_S:-1}"
GUARD_INTERVAL_S="${GUARD_INTERVAL_S:-1}"
GUARD_FAIL_THRESHOLD="${GUARD_FAIL_THRESHOLD:-2}"
GUARD_RECOVER_THRESHOLD="${GUARD_RECOVER_THRESHOLD:-3}"
GUARD_MIN_FLIP_S="${GUARD_MIN_FLIP_S:-10}"
GUARD_STOP_CMD="${GUARD_STOP_CMD:-systemctl stop cloudflared}"
GUARD_START_CMD="${GUARD_START_CMD:-systemctl start cloudflared}"
GUARD_NODE_NAME="${GUARD_NODE_NAME:-$(hostname)}"
ALERT_WEBHOOK_URL="${ALERT_WEBHOOK_URL:-}"

usage() {
  cat <<'EOF'
usage: tunnel-guard.sh [--help]

Runs in the foreground (systemd: cloudflared/tunnel-guard.service). Polls the local API's /health;
after GUARD_FAIL_THRESHOLD consecutive failures it stops the cloudflared connector, after
GUARD_RECOVER_THRESHOLD consecutive successes it starts it again. Never flips faster than
GUARD_MIN_FLIP_S. Starts assuming the connector is running. Logs one line per transition and POSTs
a JSON alert per transition to ALERT_WEBHOOK_URL. A failed stop/start command is logged and retried
on the next tick. SIGTERM/SIGINT exit 0 and leave the connector as it is.

env (default):
  GUARD_HEALTH_URL          http://localhost:3001/health   healthy = HTTP 2xx
  GUARD_HEALTH_CMD          (unset)   if set, a shell command used instead of the URL (exit 0 = healthy)
  GUARD_HEALTH_TIMEOUT_S    1         curl --max-time per probe (fractions allowed)
  GUARD_INTERVAL_S          1         seconds between probes (fractions allowed, e.g. 0.2)
  GUARD_FAIL_THRESHOLD      2         consecutive failures before the connector is stopped
  GUARD_RECOVER_THRESHOLD   3         consecutive successes before it is started again
  GUARD_MIN_FLIP_S          10        minimum seconds between two transitions (fractions allowed)
  GUARD_STOP_CMD            systemctl stop cloudflared
  GUARD_START_CMD           systemctl start cloudflared
  GUARD_NODE_NAME           $(hostname)   reported in logs and alerts
  ALERT_WEBHOOK_URL         (unset)   JSON POST per transition:
                            {"event":"connector_stopped|connector_started","node":..,"reason":..,"at":..}
EOF
}

log() { printf '%s tunnel-guard[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$GUARD_NODE_NAME" "$*"; }
die() {
  log "error: $*" >&2
  exit 2
}

case "${1:-}" in
  -h | --help)
    usage
    exit 0
    ;;
  "") ;;
  *) die "unknown argument '$1' (see --help)" ;;
esac

is_number() { [[ "$1" =~ ^[0-9]+([.][0-9]+)?$ ]]; }
is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }
is_number "$GUARD_INTERVAL_S" || die "GUARD_INTERVAL_S must be a positive number, got '$GUARD_INTERVAL_S'"
is_number "$GUARD_HEALTH_TIMEOUT_S" || die "GUARD_HEALTH_TIMEOUT_S must be a number, got '$GUARD_HEALTH_TIMEOUT_S'"
is_number "$GUARD_MIN_FLIP_S" || die "GUARD_MIN_FLIP_S must be a number, got '$GUARD_MIN_FLIP_S'"
is_count "$GUARD_FAIL_THRESHOLD" || die "GUARD_FAIL_THRESHOLD must be a whole number >= 1"
is_count "$GUARD_RECOVER_THRESHOLD" || die "GUARD_RECOVER_THRESHOLD must be a whole number >= 1"
command -v curl >/dev/null || die "curl is required (apt-get install curl)"

# Seconds (possibly fractional) to whole milliseconds, without forking.
to_ms() {
  local whole="${1%%.*}" frac=""
  [[ "$1" == *.* ]] && frac="${1#*.}"
  frac="${frac}000"
  echo $((10#$whole * 1000 + 10#${frac:0:3}))
}
now_ms() {
  local us="${EPOCHREALTIME/[.,]/}"
  echo $((us / 1000))
}

MIN_FLIP_MS="$(to_ms "$GUARD_MIN_FLIP_S")"
child=""
exit_signal=""
# The trap only records the signal (and cuts a running probe or sleep short); the loop exits at
# the next safe point, so a transition in progress is still logged and alerted.
on_signal() {
  exit_signal="$1"
  if [[ -n "$child" ]]; then kill "$child" 2>/dev/null || true; fi
}
exit_if_signalled() {
  [[ -z "$exit_signal" ]] && return 0
  log "received $exit_signal, exiting (connector left as it is: $connector)"
  exit 0
}
trap 'on_signal SIGTERM' TERM
trap 'on_signal SIGINT' INT

# Background + wait so a SIGTERM interrupts a probe or a sleep at once instead of after it.
run_interruptible() {
  "$@" &
  child=$!
  local status=0
  wait "$child" || status=$?
  child=""
  return "$status"
}

last_reason=""
probe() {
  if [[ -n "$GUARD_HEALTH_CMD" ]]; then
    if run_interruptible bash -c "$GUARD_HEALTH_CMD" >/dev/null 2>&1; then return 0; fi
    last_reason="health command failed"
    return 1
  fi
  local out status=0
  out="$(mktemp)"
  run_interruptible curl -s -o /dev/null -w '%{http_code}' --max-time "$GUARD_HEALTH_TIMEOUT_S" \
    "$GUARD_HEALTH_URL" >"$out" 2>/dev/null || status=$?
  local code
  code="$(cat "$out")"
  rm -f "$out"
  if [[ "$status" -eq 0 && "$code" == 2?? ]]; then return 0; fi
  if [[ "$status" -eq 0 ]]; then last_reason="HTTP $code"; else last_reason="no answer (curl exit $status)"; fi
  return 1
}

json_escape() {
  local s="${1//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '%s' "$s"
}

alert() {
  [[ -n "$ALERT_WEBHOOK_URL" ]] || return 0
  local body
  body="$(printf '{"event":"%s","node":"%s","reason":"%s","at":"%s"}' "$1" "$(json_escape "$GUARD_NODE_NAME")" \
    "$(json_escape "$2")" "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
  # In the background: a slow or dead webhook must never delay the next probe.
  (curl -s -o /dev/null --max-time 5 -X POST -H 'Content-Type: application/json' --data "$body" \
    "$ALERT_WEBHOOK_URL" || log "alert webhook POST failed (curl exit $?)") &
}

connector="running"
fails=0
oks=0
# The first transition may happen as soon as the thresholds allow.
last_flip_ms=$(($(now_ms) - MIN_FLIP_MS))
held=""

# Runs a stop/start command; on success records the transition, logs it and alerts.
flip() {
  local target="$1" cmd="$2" event="$3" reason="$4"
  local status=0
  bash -c "$cmd" >/dev/null 2>&1 || status=$?
  if [[ "$status" -ne 0 ]]; then
    log "'$cmd' failed (exit $status); retrying on the next tick"
    return 0
  fi
  connector="$target"
  last_flip_ms="$(now_ms)"
  held=""
  log "connector $target: $reason"
  alert "$event" "$reason"
}

log "watching $([[ -n "$GUARD_HEALTH_CMD" ]] && echo "'$GUARD_HEALTH_CMD'" || echo "$GUARD_HEALTH_URL") every ${GUARD_INTERVAL_S}s" \
  "(stop after $GUARD_FAIL_THRESHOLD failures, start after $GUARD_RECOVER_THRESHOLD successes, min ${GUARD_MIN_FLIP_S}s between flips)"

while true; do
  exit_if_signalled
  if probe; then
    oks=$((oks + 1))
    fails=0
  else
    fails=$((fails + 1))
    oks=0
  fi

  want=""
  if [[ "$connector" == "running" && "$fails" -ge "$GUARD_FAIL_THRESHOLD" ]]; then
    want="stopped"
  elif [[ "$connector" == "stopped" && "$oks" -ge "$GUARD_RECOVER_THRESHOLD" ]]; then
    want="running"
  fi

  if [[ -n "$want" ]]; then
    since=$(($(now_ms) - last_flip_ms))
    if ((since < MIN_FLIP_MS)); then
      # Logged once per hold, not once per tick.
      [[ -z "$held" ]] && log "holding: last flip was ${since}ms ago (minimum ${GUARD_MIN_FLIP_S}s)"
      held="yes"
    elif [[ "$want" == "stopped" ]]; then
      flip stopped "$GUARD_STOP_CMD" connector_stopped "health failed $fails times in a row ($last_reason)"
    else
      flip running "$GUARD_START_CMD" connector_started "health passed $oks times in a row"
    fi
  fi

  exit_if_signalled
  run_interruptible sleep "$GUARD_INTERVAL_S" || true
done
