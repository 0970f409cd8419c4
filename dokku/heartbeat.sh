#!/usr/bin/env bash
# Dead-man's switch ping of an app node, every minute from coaching-heartbeat.timer: the monitoring
# service alerts when the pings stop (node dead, powered off, cut off) or when one says /fail. The
# tunnel guard alerts only when it acts; a node that dies entirely sends nothing, hence this.
set -euo pipefail

HEARTBEAT_URL="${HEARTBEAT_URL:-}"
HEARTBEAT_FAIL_URL="${HEARTBEAT_FAIL_URL:-}"
HEARTBEAT_API_URL="${HEARTBEAT_API_URL:-http://localhost:3001/health}"
HEARTBEAT_UNITS="${HEARTBEAT_UNITS:-cloudflared tunnel-guard}"
HEARTBEAT_STATE_CMD="${HEARTBEAT_STATE_CMD:-systemctl is-active {UNIT\}}"
HEARTBEAT_NODE_NAME="${HEARTBEAT_NODE_NAME:-$(hostname)}"
DRY_RUN="false"

usage() {
  cat <<'EOF'
usage: dokku/heartbeat.sh [--dry-run] [--help]

Checks this app node — the API's /health, and each unit in HEARTBEAT_UNITS is active — and pings
HEARTBEAT_URL with a one-line report as the body: a plain ping when all is well, HEARTBEAT_FAIL_URL
(default HEARTBEAT_URL/fail) naming what is wrong otherwise. The format is healthchecks.io's
(https://hc-ping.com/<uuid>, <uuid>/fail; POST bodies are kept as the ping's log), which self-hosted
healthchecks and Uptime Kuma push monitors also accept (see docs/deploy.md, monitoring).
Exit 0 when the ping was delivered (whatever it reported), 1 when it was not.

env (default):
  HEARTBEAT_URL        the check's ping URL (required; /etc/default/coaching-heartbeat, mode 600)
  HEARTBEAT_FAIL_URL   HEARTBEAT_URL/fail
  HEARTBEAT_API_URL    http://localhost:3001/health
  HEARTBEAT_UNITS      "cloudflared tunnel-guard"
  HEARTBEAT_STATE_CMD  systemctl is-active {UNIT}   prints a unit's state; "active" is up
  HEARTBEAT_NODE_NAME  $(hostname)
  --dry-run            print the report and where it would go; send nothing
EOF
}

log() { printf '%s heartbeat: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

for arg in "$@"; do
  case "$arg" in
    -h | --help)
      usage
      exit 0
      ;;
    --dry-run) DRY_RUN="true" ;;
    *) die "unknown argument '$arg' (see --help)" ;;
  esac
done
[[ "$HEARTBEAT_URL" =~ ^https?://[^[:space:]]+$ ]] || die "HEARTBEAT_URL must be the check's http(s) ping URL, got '${HEARTBEAT_URL:-<unset>}'"
HEARTBEAT_FAIL_URL="${HEARTBEAT_FAIL_URL:-${HEARTBEAT_URL%/}/fail}"

problems=()
api_code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$HEARTBEAT_API_URL" 2>/dev/null || true)"
[[ "$api_code" == 2?? ]] || problems+=("api ${api_code:-no answer} at $HEARTBEAT_API_URL")
states=()
for unit in $HEARTBEAT_UNITS; do
  state="$(bash -c "${HEARTBEAT_STATE_CMD//\{UNIT\}/$unit}" 2>/dev/null || true)"
  states+=("$unit=${state:-unknown}")
  [[ "$state" == "active" ]] || problems+=("$unit ${state:-unknown}")
done

if [[ ${#problems[@]} -eq 0 ]]; then
  url="$HEARTBEAT_URL"
  report="$HEARTBEAT_NODE_NAME ok: api $api_code, ${states[*]}"
else
  url="$HEARTBEAT_FAIL_URL"
  report="$HEARTBEAT_NODE_NAME FAIL: $(
    IFS=";"
    echo "${problems[*]}"
  ) (${states[*]})"
fi
if [[ "$DRY_RUN" == "true" ]]; then
  printf 'POST %s\n%s\n' "$url" "$report"
  exit 0
fi
# healthchecks.io's recommended flags: fail on HTTP errors, 10 s per try, a few retries.
curl -fsS -m 10 --retry 3 -o /dev/null --data-raw "$report" "$url" || die "ping to the monitoring service failed (curl exit $?); report was: $report"
log "$report"
