#!/usr/bin/env bash
# Makes this app node a connector (replica) of the production tunnel and installs the tunnel guard,
# or (--staging) runs staging's own tunnel on the node that hosts staging. Run on every app node
# after the tunnel was created once (docs/deploy.md).
set -euo pipefail

TUNNEL_ID="${TUNNEL_ID:-}"
HOSTNAME_API=""
CREDENTIALS="${CREDENTIALS:-}"
CONFIG_DIR="${CONFIG_DIR:-/etc/cloudflared}"
UNIT_DIR="${UNIT_DIR:-/etc/systemd/system}"
ALERT_WEBHOOK_URL="${ALERT_WEBHOOK_URL:-}"
PEERS=""
STOP_DELAY_S="0"
METRICS_ADDRESS=""
STAGING="false"
DRY_RUN="false"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  cat <<'EOF'
usage: cloudflared/setup-replica.sh --tunnel-id ID --credentials FILE|- [options]

Run as root on an app node, from a checkout of this repository. Safe to run again.
  1. installs cloudflared from Cloudflare's apt repository (if missing)
  2. puts the tunnel credentials in /etc/cloudflared/<id>.json (mode 600), from a file or from
     standard input (-), so they can be piped from node 1 through your laptop: no node needs SSH
     access to another (docs/deploy.md step 7)
  3. writes /etc/cloudflared/config.yml from cloudflared/config.yml.example, with /ready on this
     node's Tailscale address (the other nodes' guards read it), and validates its ingress rules
  4. installs cloudflared/cloudflared.service and enables it
  5. installs cloudflared/tunnel-guard.sh + tunnel-guard.service, with the peers and stop delay in
     /etc/default/tunnel-guard (mode 600), and enables the guard
With --staging: staging's own tunnel instead (config staging.yml, unit cloudflared-staging,
localhost:3002, /ready on port 20242, no guard: staging runs on one node only).

options:
  --tunnel-id ID          UUID printed by `cloudflared tunnel create` (required)
  --credentials FILE|-    the tunnel's credentials JSON (~/.cloudflared/<id>.json where the tunnel
                          was created), or - to read it from standard input (required)
  --hostname HOST         public API hostname (default api.example.com; staging-api.example.com)
  --peers "HOST..."       the other app nodes' Tailscale names, e.g. "app-node-2" (required for
                          production: the guard stops this connector only while a peer serves)
  --stop-delay S          the guard's GUARD_STOP_DELAY_S: node 1 0 (default), node 2 2, node 3 4
  --alert-webhook URL     ALERT_WEBHOOK_URL for the guard
  --metrics-address A:P   where /ready listens (default: `tailscale ip -4`, port 20241 or 20242)
  --staging               staging's tunnel (see above)
  --dry-run               print the exact commands, change nothing (the inputs are still checked)
  --help                  this text
EOF
}

log() { printf '%s setup-replica: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --tunnel-id | --credentials | --hostname | --alert-webhook | --peers | --stop-delay | --metrics-address)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --tunnel-id) TUNNEL_ID="$2" ;;
        --credentials) CREDENTIALS="$2" ;;
        --hostname) HOSTNAME_API="$2" ;;
        --alert-webhook) ALERT_WEBHOOK_URL="$2" ;;
        --peers) PEERS="$2" ;;
        --stop-delay) STOP_DELAY_S="$2" ;;
        --metrics-address) METRICS_ADDRESS="$2" ;;
      esac
      shift 2
      ;;
    --copy-from)
      die "--copy-from is gone: it needed SSH trust between nodes. Pipe the credentials instead: ssh root@app-node-1 cat /etc/cloudflared/<id>.json | ssh root@app-node-2 /opt/coaching-app/cloudflared/setup-replica.sh --credentials - ... (docs/deploy.md step 7)"
      ;;
    --staging)
      STAGING="true"
      shift
      ;;
    --dry-run)
      DRY_RUN="true"
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

if [[ "$STAGING" == "true" ]]; then
  NAME="staging" UNIT="cloudflared-staging" PORT_NUMBER=3002 METRICS_PORT=20242
  HOSTNAME_API="${HOSTNAME_API:-staging-api.example.com}"
else
  NAME="config" UNIT="cloudflared" PORT_NUMBER=3001 METRICS_PORT=20241
  HOSTNAME_API="${HOSTNAME_API:-api.example.com}"
fi
CONFIG_FILE="$CONFIG_DIR/$NAME.yml"

[[ "$TUNNEL_ID" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] ||
  die "--tunnel-id must be the tunnel's UUID (see --help)"
[[ -n "$CREDENTIALS" ]] || die "give --credentials FILE (or - for standard input)"
[[ "$HOSTNAME_API" =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] || die "--hostname '$HOSTNAME_API' is not a hostname"
[[ "$STOP_DELAY_S" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--stop-delay must be a number of seconds"
if [[ "$STAGING" == "false" && -z "$PEERS" ]]; then
  die "--peers is required: the other app nodes' Tailscale names (e.g. \"app-node-2\"); the guard never stops a connector unless a peer serves"
fi
for peer in $PEERS; do [[ "$peer" =~ ^[A-Za-z0-9.-]+$ ]] || die "--peers: '$peer' is not a host name"; done

# The credentials, checked here in a dry run too: a file that exists, is JSON of this tunnel.
CRED_JSON=""
if [[ "$CREDENTIALS" == "-" ]]; then
  [[ "$DRY_RUN" == "true" ]] || CRED_JSON="$(cat)"
else
  [[ -r "$CREDENTIALS" ]] || die "cannot read --credentials '$CREDENTIALS'"
  CRED_JSON="$(cat "$CREDENTIALS")"
fi
if [[ -n "$CRED_JSON" || "$DRY_RUN" == "false" ]]; then
  # `cloudflared tunnel create` writes AccountTag, TunnelSecret, TunnelID (cmd/cloudflared/tunnel).
  for key in AccountTag TunnelSecret; do
    [[ "$CRED_JSON" == *"\"$key\""* ]] || die "the credentials are not a tunnel credentials file (no $key)"
  done
  [[ "$CRED_JSON" =~ \"TunnelID\"[[:space:]]*:[[:space:]]*\"$TUNNEL_ID\" ]] ||
    die "the credentials are for another tunnel than $TUNNEL_ID (TunnelID differs)"
fi

if [[ -z "$METRICS_ADDRESS" ]]; then
  if tailscale_ip="$(tailscale ip -4 2>/dev/null | head -1)" && [[ -n "$tailscale_ip" ]]; then
    METRICS_ADDRESS="$tailscale_ip:$METRICS_PORT"
  elif [[ "$DRY_RUN" == "true" ]]; then
    METRICS_ADDRESS="<tailscale ip -4>:$METRICS_PORT"
  else
    die "no Tailscale address (tailscale ip -4): bring Tailscale up first (docs/deploy.md step 1), or give --metrics-address"
  fi
fi

run() {
  local shown
  shown="$(printf '%q ' "$@")"
  if [[ "$DRY_RUN" == "true" ]]; then
    printf '%s\n' "${shown% }"
    return 0
  fi
  log "\$ ${shown% }"
  "$@" >&2 || die "'${shown% }' failed (exit $?)"
}

# Writes stdin to a file with the given mode (shown as one line in a dry run).
write_file() {
  local path="$1" mode="$2" content
  content="$(cat)"
  if [[ "$DRY_RUN" == "true" ]]; then
    printf 'write %s (mode %s)\n' "$path" "$mode"
    return 0
  fi
  log "writing $path"
  install -m "$mode" /dev/null "$path" || die "cannot create $path"
  printf '%s\n' "$content" >"$path" || die "cannot write $path"
}

if [[ "$DRY_RUN" == "false" ]]; then
  [[ "$(id -u)" -eq 0 ]] || die "run as root on the app node"
fi

if [[ "$DRY_RUN" == "true" ]] || ! command -v cloudflared >/dev/null; then
  run install -d -m 0755 /usr/share/keyrings
  run curl -fsSL -o /usr/share/keyrings/cloudflare-main.gpg https://pkg.cloudflare.com/cloudflare-main.gpg
  write_file /etc/apt/sources.list.d/cloudflared.list 0644 <<<\
"deb [signed-by=/usr/share/keyrings/cloudflare-main.gpg] https://pkg.cloudflare.com/cloudflared any main"
  run apt-get update
  run apt-get install -y cloudflared
fi

run install -d -m 0700 "$CONFIG_DIR"
write_file "$CONFIG_DIR/$TUNNEL_ID.json" 0600 <<<"$CRED_JSON"

template="$SCRIPT_DIR/config.yml.example"
[[ -r "$template" ]] || die "missing $template (run from a checkout of the repository)"
sed -e "s#<tunnel-id>#$TUNNEL_ID#g" -e "s#api\.example\.com#$HOSTNAME_API#g" \
  -e "s#<metrics-address>#$METRICS_ADDRESS#g" -e "s#<port>#$PORT_NUMBER#g" "$template" |
  write_file "$CONFIG_FILE" 0644
run cloudflared tunnel --config "$CONFIG_FILE" ingress validate

# Our own unit rather than `cloudflared service install`, which writes no TimeoutStopSec and refuses
# a second tunnel on the host (cmd/cloudflared/linux_service.go).
sed -e "s#/etc/cloudflared/config.yml#$CONFIG_FILE#" \
  -e "s#(Coaching App)#(Coaching App, $([[ "$STAGING" == "true" ]] && echo staging || echo production))#" \
  "$SCRIPT_DIR/cloudflared.service" | write_file "$UNIT_DIR/$UNIT.service" 0644
run systemctl daemon-reload
run systemctl enable --now "$UNIT"
run systemctl restart "$UNIT"

if [[ "$STAGING" == "false" ]]; then
  run install -m 0755 "$SCRIPT_DIR/tunnel-guard.sh" /usr/local/bin/tunnel-guard.sh
  run install -m 0644 "$SCRIPT_DIR/tunnel-guard.service" "$UNIT_DIR/tunnel-guard.service"
  # The peers' /ready, on the port their config.yml puts it (GUARD_PEER_URL's default).
  write_file /etc/default/tunnel-guard 0600 <<EOF
GUARD_PEERS="$PEERS"
GUARD_STOP_DELAY_S=$STOP_DELAY_S
ALERT_WEBHOOK_URL=$ALERT_WEBHOOK_URL
EOF
  run systemctl daemon-reload
  run systemctl enable --now tunnel-guard
  run systemctl restart tunnel-guard
fi
log "done$([[ "$DRY_RUN" == "true" ]] && echo " (dry run)"). Check: curl -fsS http://$METRICS_ADDRESS/ready$([[ "$STAGING" == "true" ]] || echo "; journalctl -u tunnel-guard")"
