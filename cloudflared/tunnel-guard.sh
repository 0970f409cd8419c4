#!/usr/bin/env bash
# Tunnel guard: takes this node's cloudflared connector out of the tunnel while the local API is
# unhealthy. Cloudflare keeps sending a share of traffic to every *connected* replica, whatever the
# app behind it answers (cloudflared issues #434, #725), so a dead API behind a live connector means
# 502s for users. Stopping cloudflared (its --grace-period drains in-flight requests) makes the edge
# send everything to the other node; starting it again re-adds this node once the API recovers.
set -euo pipefail

GUARD_HEALTH_URL="${GUARD_HEALTH_URL:-http://localhost:3001/health}"
GUARD_HEALTH_CMD="${GUARD_HEALTH_CMD:-}"
# A CPU-saturated 1-vCPU node can take over a second to answer /health (no I/O) and is still
# serving: a probe fails on a refused connection at once, on a hung API after this long.
GUARD_HEALTH_TIMEOUT_S="${GUARD_HEALTH_TIMEOUT_S:-3}"
GUARD_INTERVAL_S="${GUARD_INTERVAL_S:-1}"
GUARD_FAIL_THRESHOLD="${GUARD_FAIL_THRESHOLD:-3}"
GUARD_RECOVER_THRESHOLD="${GUARD_RECOVER_THRESHOLD:-3}"
GUARD_MIN_FLIP_S="${GUARD_MIN_FLIP_S:-10}"
# --no-block: the guard keeps probing while cloudflared drains for its grace period.
GUARD_STOP_CMD="${GUARD_STOP_CMD:-systemctl stop --no-block cloudflared}"
GUARD_START_CMD="${GUARD_START_CMD:-systemctl start --no-block cloudflared}"
GUARD_STATE_CMD="${GUARD_STATE_CMD:-systemctl is-active cloudflared}"
GUARD_PEERS="${GUARD_PEERS:-}"
GUARD_PEER_URL="${GUARD_PEER_URL:-http://{PEER\}:20241/ready}"
GUARD_PEER_CMD="${GUARD_PEER_CMD:-}"
GUARD_PEER_TIMEOUT_S="${GUARD_PEER_TIMEOUT_S:-3}"
GUARD_STOP_DELAY_S="${GUARD_STOP_DELAY_S:-0}"
GUARD_NODE_NAME="${GUARD_NODE_NAME:-$(hostname)}"
ALERT_WEBHOOK_URL="${ALERT_WEBHOOK_URL:-}"

usage() {
  cat <<'EOF'
usage: tunnel-guard.sh [--help]

Runs in the foreground (systemd: cloudflared/tunnel-guard.service). Every tick it reads the
connector's real state from systemd (GUARD_STATE_CMD) and probes the local API's /health:
  - connector running, GUARD_FAIL_THRESHOLD failures in a row: stop it, but only when another node
    is serving (GUARD_PEERS' cloudflared /ready answers 200). Otherwise it stays: the last serving
    connector is never stopped, and a `connector_kept` alert says why.
  - connector stopped, GUARD_RECOVER_THRESHOLD successes in a row: start it.
  - connector stopped and no other node serving: start it at once, healthy or not (a slow node
    serving beats a tunnel with no connector).
No two stops/starts within GUARD_MIN_FLIP_S (except that last rescue). A connector found stopped at
start-up or by someone else (e.g. after `systemctl restart tunnel-guard`) is handled the same way,
so the node rejoins once its API is healthy. One log line and one JSON POST to ALERT_WEBHOOK_URL
per transition or kept connector. A failed command is logged and retried on the next tick.
SIGTERM/SIGINT exit 0 and leave the connector as it is.

env (default):
  GUARD_HEALTH_URL          http://localhost:3001/health   healthy = HTTP 2xx
  GUARD_HEALTH_CMD          (unset)   if set, a shell command used instead of the URL (exit 0 = healthy)
  GUARD_HEALTH_TIMEOUT_S    3         curl --max-time per probe (fractions allowed)
  GUARD_INTERVAL_S          1         seconds between probes (fractions allowed, e.g. 0.2)
  GUARD_FAIL_THRESHOLD      3         consecutive failures before the connector is stopped
  GUARD_RECOVER_THRESHOLD   3         consecutive successes before it is started again
  GUARD_MIN_FLIP_S          10        minimum seconds between two transitions (fractions allowed)
  GUARD_STOP_CMD            systemctl stop --no-block cloudflared
  GUARD_START_CMD           systemctl start --no-block cloudflared
  GUARD_STATE_CMD           systemctl is-active cloudflared   prints the unit state; active,
                            activating and reloading count as running, anything else as stopped
  GUARD_PEERS               (unset)   the other app nodes' addresses, e.g. "app-node-2"; with none,
                            no other node can be proven serving and the connector is never stopped
  GUARD_PEER_URL            http://{PEER}:20241/ready   a peer's cloudflared readiness (200 = it has
                            connections registered with the edge), {PEER} from GUARD_PEERS
  GUARD_PEER_CMD            (unset)   if set, used instead: exit 0 = some other node is serving
  GUARD_PEER_TIMEOUT_S      3         curl --max-time per peer check
  GUARD_STOP_DELAY_S        0         before a stop, wait this long and check the peers again; give
                            each node its own (node 1: 0, node 2: 2, ...) so two nodes that fail
                            together never stop together: the later one sees the first one's /ready
                            turn 503 and keeps its connector
  GUARD_NODE_NAME           $(hostname)   reported in logs and alerts
  ALERT_WEBHOOK_URL         (unset)   JSON POST per event:
                            {"event":"connector_stopped|connector_started|connector_kept","node":..,"reason":..,"at":..}
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
is_number "$GUARD_PEER_TIMEOUT_S" || die "GUARD_PEER_TIMEOUT_S must be a number, got '$GUARD_PEER_TIMEOUT_S'"
is_number "$GUARD_STOP_DELAY_S" || die "GUARD_STOP_DELAY_S must be a number, got '$GUARD_STOP_DELAY_S'"
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

# The connector's state as systemd reports it. The guard never trusts its own memory of it: an
# operator, a deploy or a crash may have changed it, and a guard restarted while the connector was
# stopped must still bring the node back.
connector_state() {
  local out status=0
  out="$(bash -c "$GUARD_STATE_CMD" 2>/dev/null)" || status=$?
  case "$out" in
    active | activating | reloading) echo running ;;
    # `systemctl is-active` exits 3 for these, with the state on stdout.
    inactive | failed | deactivating | dead) echo stopped ;;
    *) echo "unknown (GUARD_STATE_CMD printed '${out}', exit ${status})" ;;
  esac
}

# Exit 0 if some other app node is serving: its cloudflared has connections registered with the edge.
peer_serving() {
  if [[ -n "$GUARD_PEER_CMD" ]]; then
    run_interruptible bash -c "$GUARD_PEER_CMD" >/dev/null 2>&1
    return
  fi
  local peer
  for peer in $GUARD_PEERS; do
    if run_interruptible curl -fsS -o /dev/null --max-time "$GUARD_PEER_TIMEOUT_S" "${GUARD_PEER_URL//\{PEER\}/$peer}" 2>/dev/null; then
      return 0
    fi
  done
  return 1
}

# Before a stop: this node's own delay, then the peers once more (GUARD_STOP_DELAY_S). A fixed
# order between nodes, not a random one: two nodes that go unhealthy in the same second (a CPU-
# saturated pair) would otherwise both see the other serving and both stop.
STOP_DELAY_MS="$(to_ms "$GUARD_STOP_DELAY_S")"
stop_delay() {
  ((STOP_DELAY_MS > 0)) || return 0
  run_interruptible sleep "$GUARD_STOP_DELAY_S" || true
  [[ -z "$exit_signal" ]]
}

connector="unknown"
fails=0
oks=0
# The first transition may happen as soon as the thresholds allow.
last_flip_ms=$(($(now_ms) - MIN_FLIP_MS))
held=""
kept=""
# Set when the guard started its connector as the last one while unhealthy: it then stops it again
# only after its own health has recovered and failed anew. Without this, two unhealthy nodes that
# stopped at the same moment would rescue, wait GUARD_MIN_FLIP_S, and stop together again.
rescued=""

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
  kept=""
  log "connector $target: $reason"
  alert "$event" "$reason"
}

peers_shown="${GUARD_PEERS:-none}"
[[ -n "$GUARD_PEER_CMD" ]] && peers_shown="'$GUARD_PEER_CMD'"
log "watching $([[ -n "$GUARD_HEALTH_CMD" ]] && echo "'$GUARD_HEALTH_CMD'" || echo "$GUARD_HEALTH_URL") every ${GUARD_INTERVAL_S}s" \
  "(stop after $GUARD_FAIL_THRESHOLD failures, start after $GUARD_RECOVER_THRESHOLD successes, min ${GUARD_MIN_FLIP_S}s between flips; peers: $peers_shown)"
[[ -n "$GUARD_PEERS$GUARD_PEER_CMD" ]] ||
  log "no GUARD_PEERS: no other node can be proven serving, so this connector is never stopped"

while true; do
  exit_if_signalled
  state="$(connector_state)"
  if [[ "$state" == unknown* ]]; then
    [[ "$connector" == unknown* ]] || log "cannot read the connector's state: $state; keeping '$connector'"
  elif [[ "$state" != "$connector" ]]; then
    log "connector is $state$([[ "$connector" == unknown* ]] || echo " (was $connector)")"
    connector="$state"
    held=""
  fi

  if probe; then
    oks=$((oks + 1))
    fails=0
    kept=""
    [[ "$oks" -ge "$GUARD_RECOVER_THRESHOLD" ]] && rescued=""
  else
    fails=$((fails + 1))
    oks=0
  fi

  since=$(($(now_ms) - last_flip_ms))
  if [[ "$connector" == "running" && "$fails" -ge "$GUARD_FAIL_THRESHOLD" ]]; then
    if ((since < MIN_FLIP_MS)); then
      # Logged once per hold, not once per tick.
      [[ -z "$held" ]] && log "holding: last flip was ${since}ms ago (minimum ${GUARD_MIN_FLIP_S}s)"
      held="yes"
    elif [[ -z "$rescued" ]] && peer_serving && stop_delay && peer_serving; then
      flip stopped "$GUARD_STOP_CMD" connector_stopped "health failed $fails times in a row ($last_reason)"
    elif [[ -z "$kept" ]]; then
      kept="yes"
      if [[ -n "$rescued" ]]; then
        reason="health failed $fails times in a row ($last_reason); started as the last connector, it stays until health recovers"
      else
        reason="health failed $fails times in a row ($last_reason), but no other node is serving: keeping the last connector"
      fi
      log "connector kept: $reason"
      alert connector_kept "$reason"
    fi
  elif [[ "$connector" == "stopped" ]]; then
    if [[ "$oks" -ge "$GUARD_RECOVER_THRESHOLD" ]]; then
      if ((since < MIN_FLIP_MS)); then
        [[ -z "$held" ]] && log "holding: last flip was ${since}ms ago (minimum ${GUARD_MIN_FLIP_S}s)"
        held="yes"
      else
        flip running "$GUARD_START_CMD" connector_started "health passed $oks times in a row"
      fi
    elif [[ "$oks" -eq 0 ]] && ! peer_serving; then
      # Even unhealthy: with no other connector the edge has nowhere to send anyone. (While health
      # is passing, the start above comes within a few ticks anyway.)
      flip running "$GUARD_START_CMD" connector_started "no other node is serving: starting the last connector (health: $last_reason)"
      [[ "$connector" == "running" ]] && rescued="yes"
    fi
  fi

  exit_if_signalled
  run_interruptible sleep "$GUARD_INTERVAL_S" || true
done
