#!/usr/bin/env bash
# Makes this app node a connector (replica) of the existing tunnel and installs the tunnel guard.
# Run on every app node, node 1 included, after the tunnel was created once (docs/deploy.md).
set -euo pipefail

TUNNEL_ID="${TUNNEL_ID:-}"
HOSTNAME_API="${API_HOSTNAME:-api.example.com}"
CREDENTIALS="${CREDENTIALS:-}"
COPY_FROM="${COPY_FROM:-}"
CONFIG_DIR="${CONFIG_DIR:-/etc/cloudflared}"
ALERT_WEBHOOK_URL="${ALERT_WEBHOOK_URL:-}"
DRY_RUN="false"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  cat <<'EOF'
usage: cloudflared/setup-replica.sh --tunnel-id ID (--credentials FILE | --copy-from root@app-node-1) [options]

Run as root on an app node, from a checkout of this repository. Safe to run again.
  1. installs cloudflared from Cloudflare's apt repository (if missing)
  2. puts the tunnel credentials in /etc/cloudflared/<id>.json (mode 600), from a local file or
     copied over SSH from the node where `cloudflared tunnel create` ran
  3. writes /etc/cloudflared/config.yml from cloudflared/config.yml.example
  4. `cloudflared service install` (if the unit is missing) and `systemctl enable --now cloudflared`
  5. installs cloudflared/tunnel-guard.sh + tunnel-guard.service and enables the guard

options:
  --tunnel-id ID          UUID printed by `cloudflared tunnel create coaching-app` (required)
  --credentials FILE      the tunnel's credentials JSON on this machine
  --copy-from HOST        scp the credentials from HOST:/etc/cloudflared/<id>.json (or ~/.cloudflared/)
  --hostname HOST         public API hostname (default api.example.com)
  --alert-webhook URL     ALERT_WEBHOOK_URL for the guard, written to /etc/default/tunnel-guard
  --dry-run               print the exact commands, change nothing
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
    --tunnel-id | --credentials | --copy-from | --hostname | --alert-webhook)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --tunnel-id) TUNNEL_ID="$2" ;;
        --credentials) CREDENTIALS="$2" ;;
        --copy-from) COPY_FROM="$2" ;;
        --hostname) HOSTNAME_API="$2" ;;
        --alert-webhook) ALERT_WEBHOOK_URL="$2" ;;
      esac
      shift 2
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

[[ "$TUNNEL_ID" =~ ^[0-9a-f-]{36}$ ]] || die "--tunnel-id must be the tunnel's UUID (see --help)"
[[ -n "$CREDENTIALS" || -n "$COPY_FROM" ]] || die "give --credentials FILE or --copy-from HOST"
CRED_DEST="$CONFIG_DIR/$TUNNEL_ID.json"

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
if [[ -n "$CREDENTIALS" ]]; then
  run install -m 0600 "$CREDENTIALS" "$CRED_DEST"
elif [[ "$DRY_RUN" == "true" ]] || [[ ! -s "$CRED_DEST" ]]; then
  # Node 1 may keep them where `cloudflared tunnel create` left them (~/.cloudflared).
  if [[ "$DRY_RUN" == "true" ]] || ssh -o BatchMode=yes "$COPY_FROM" test -s "$CRED_DEST"; then
    run scp -q "$COPY_FROM:$CRED_DEST" "$CRED_DEST"
  else
    run scp -q "$COPY_FROM:.cloudflared/$TUNNEL_ID.json" "$CRED_DEST"
  fi
  run chmod 0600 "$CRED_DEST"
fi

template="$SCRIPT_DIR/config.yml.example"
[[ -r "$template" ]] || die "missing $template (run from a checkout of the repository)"
sed -e "s#<tunnel-id>#$TUNNEL_ID#g" -e "s#api\.example\.com#$HOSTNAME_API#g" "$template" |
  write_file "$CONFIG_DIR/config.yml" 0644

if [[ "$DRY_RUN" == "true" ]] || [[ ! -e /etc/systemd/system/cloudflared.service ]]; then
  run cloudflared --config "$CONFIG_DIR/config.yml" service install
fi
run systemctl enable --now cloudflared
run systemctl restart cloudflared

run install -m 0755 "$SCRIPT_DIR/tunnel-guard.sh" /usr/local/bin/tunnel-guard.sh
run install -m 0644 "$SCRIPT_DIR/tunnel-guard.service" /etc/systemd/system/tunnel-guard.service
if [[ -n "$ALERT_WEBHOOK_URL" ]]; then
  write_file /etc/default/tunnel-guard 0600 <<<"ALERT_WEBHOOK_URL=$ALERT_WEBHOOK_URL"
fi
run systemctl daemon-reload
run systemctl enable --now tunnel-guard
run systemctl restart tunnel-guard
log "done$([[ "$DRY_RUN" == "true" ]] && echo " (dry run)"). Check: curl -fsS http://127.0.0.1:20241/ready; journalctl -u tunnel-guard"
