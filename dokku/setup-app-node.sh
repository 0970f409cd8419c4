#!/usr/bin/env bash
# Prepares an app node (Dokku already installed) for the API: app, Dokku file locations, port,
# deploy branch, nginx on loopback only, stop timeout, checks, config from an env file (values never
# printed), BuildKit, unattended upgrades, log shipping, firewall. Idempotent.
set -euo pipefail

APP="${APP:-coaching-app}"
ENV_FILE=""
DOMAIN="${DOMAIN:-api.example.com}"
PORT_NUMBER="${PORT_NUMBER:-3001}"
STOP_TIMEOUT_S="${STOP_TIMEOUT_S:-30}"
WAIT_TO_RETIRE_S="${WAIT_TO_RETIRE_S:-30}"
SSH_INTERFACE="${SSH_INTERFACE:-tailscale0}"
LOG_SINK_FILE=""
HEARTBEAT_URL_FILE=""
SKIP_FIREWALL="false"
FORCE_FIREWALL="false"
DRY_RUN="false"
DOKKU="${DOKKU_BIN:-dokku}"
UFW="${UFW_BIN:-ufw}"
# Files this script writes live under TARGET_ROOT (tests point it at a scratch directory).
TARGET_ROOT="${TARGET_ROOT:-}"
# Keys the API refuses to start without in production (backend/src/config.ts).
REQUIRED_KEYS=(APP_ENV DATABASE_URL REDIS_URL BETTER_AUTH_SECRET BETTER_AUTH_URL CORS_ORIGIN
  S3_ENDPOINT S3_BUCKET S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY)

usage() {
  cat <<'EOF'
usage: dokku/setup-app-node.sh --env-file FILE [options]

Run as root on an app node where Dokku is installed (docs/deploy.md). Safe to run again.
  - creates the app (if missing), sets its domain and deploy branch (main)
  - points Dokku at dokku/Dockerfile, dokku/app.json and dokku/Procfile; ps:scale web=1
  - ports:set http:PORT:PORT: Dokku passes PORT to the container and the startup check (dokku/app.json
    names no port); nginx listens on 127.0.0.1 and ::1 only, where cloudflared forwards to
  - stop timeout (default 30 s, must exceed SHUTDOWN_TIMEOUT_MS) and wait-to-retire
  - config:set --no-restart from the env file (KEY=VALUE lines; values are never printed; a value
    still holding a <placeholder> of .env.example is refused, in --dry-run too)
  - BuildKit for the Dockerfile's cache mounts (export DOCKER_BUILDKIT=1 in /etc/default/dokku, as
    Dokku's docs put it); unattended security upgrades (/etc/apt/apt.conf.d/20auto-upgrades)
  - with --log-sink-file: Dokku's Vector log shipping (logs:set --global vector-sink, docs/deploy.md)
  - with --heartbeat-url-file: dokku/heartbeat.sh every minute (coaching-heartbeat.timer), pinging
    a dead-man's switch with the API's, the connector's and the guard's state
  - ufw: deny all incoming except SSH on the Tailscale interface (cloudflared only dials out).
    Refused unless tailscale0 is up and this SSH session arrives over Tailscale, since enabling ufw
    otherwise locks you out (--force-firewall when you are on the provider's console)

options:
  --env-file FILE        production env file (required unless --dry-run)
  --app NAME             Dokku app name (default coaching-app; env APP)
  --domain HOST          public API hostname the tunnel forwards (default api.example.com; env DOMAIN)
  --port N               the app's port, host and container (default 3001; staging: 3002)
  --stop-timeout S       seconds Docker waits after SIGTERM before SIGKILL (default 30)
  --ssh-interface IFACE  interface allowed to reach SSH (default tailscale0)
  --log-sink-file FILE   a mode-600 file holding one Vector sink DSN, e.g. loki://?endpoint=...
                         (Dokku takes it as an argument: root on the node can see it while it runs)
  --heartbeat-url-file F a mode-600 file holding the dead-man's switch ping URL, e.g.
                         https://hc-ping.com/<uuid> (docs/deploy.md, monitoring)
  --skip-firewall        leave ufw alone (the second app on a node: staging)
  --force-firewall       enable ufw without the Tailscale checks
  --dry-run              print the exact commands, change nothing (the env file is still checked)
  --help                 this text
EOF
}

log() { printf '%s setup-app-node: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --env-file | --app | --domain | --port | --stop-timeout | --ssh-interface | --log-sink-file | --heartbeat-url-file)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --env-file) ENV_FILE="$2" ;;
        --app) APP="$2" ;;
        --domain) DOMAIN="$2" ;;
        --port) PORT_NUMBER="$2" ;;
        --stop-timeout) STOP_TIMEOUT_S="$2" ;;
        --ssh-interface) SSH_INTERFACE="$2" ;;
        --log-sink-file) LOG_SINK_FILE="$2" ;;
        --heartbeat-url-file) HEARTBEAT_URL_FILE="$2" ;;
      esac
      shift 2
      ;;
    --skip-firewall)
      SKIP_FIREWALL="true"
      shift
      ;;
    --force-firewall)
      FORCE_FIREWALL="true"
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

[[ "$STOP_TIMEOUT_S" =~ ^[0-9]+$ ]] || die "--stop-timeout must be whole seconds"
if ! [[ "$PORT_NUMBER" =~ ^[0-9]+$ ]] || ((PORT_NUMBER < 1 || PORT_NUMBER > 65535)); then die "--port must be a TCP port"; fi

# Prints the command (quoted so it can be pasted) and runs it unless --dry-run.
run() {
  local shown
  shown="$(printf '%q ' "$@")"
  if [[ "$DRY_RUN" == "true" ]]; then
    printf '%s\n' "${shown% }"
    return 0
  fi
  log "\$ ${shown% }"
  "$@" || die "'${shown% }' failed (exit $?)"
}

# Reads KEY=VALUE lines (comments, blanks and an optional `export ` allowed) into ENV_PAIRS.
ENV_PAIRS=()
ENV_KEYS=()
read_env_file() {
  [[ -n "$ENV_FILE" ]] || return 0
  [[ -r "$ENV_FILE" ]] || die "cannot read env file '$ENV_FILE'"
  local line key value n=0
  while IFS= read -r line || [[ -n "$line" ]]; do
    n=$((n + 1))
    line="${line%$'\r'}"
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    line="${line#export }"
    [[ "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || die "$ENV_FILE line $n is not KEY=VALUE"
    key="${BASH_REMATCH[1]}"
    value="${BASH_REMATCH[2]}"
    # Strip one pair of surrounding quotes, as a shell would.
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then value="${BASH_REMATCH[1]}"; fi
    ENV_PAIRS+=("$key=$value")
    ENV_KEYS+=("$key")
  done <"$ENV_FILE"
}

env_value() {
  local pair
  for pair in "${ENV_PAIRS[@]}"; do [[ "${pair%%=*}" == "$1" ]] && printf '%s' "${pair#*=}" && return 0; done
  return 1
}

check_env() {
  [[ -n "$ENV_FILE" ]] || {
    [[ "$DRY_RUN" == "true" ]] || die "--env-file is required (see --help)"
    return 0
  }
  local missing=() placeholders=() key pair
  for key in "${REQUIRED_KEYS[@]}"; do env_value "$key" >/dev/null || missing+=("$key"); done
  [[ ${#missing[@]} -eq 0 ]] || die "$ENV_FILE lacks: ${missing[*]}"
  # The same rule as the API's config (backend/src/config.ts): <...> is an unfilled .env.example value.
  for pair in "${ENV_PAIRS[@]}"; do
    [[ "${pair#*=}" =~ \<[^\>]*\> ]] && placeholders+=("${pair%%=*}")
  done
  [[ ${#placeholders[@]} -eq 0 ]] ||
    die "$ENV_FILE still holds <placeholders> from .env.example in: ${placeholders[*]} (fill them in; pnpm preflight -- --env-file FILE checks every rule)"
  if env_value PORT >/dev/null && [[ "$(env_value PORT)" != "$PORT_NUMBER" ]]; then
    die "$ENV_FILE sets PORT=$(env_value PORT) but the app's port is $PORT_NUMBER (--port): Dokku sets PORT from the port mapping; drop PORT from the file"
  fi
  local shutdown_ms
  shutdown_ms="$(env_value SHUTDOWN_TIMEOUT_MS || echo 25000)"
  [[ "$shutdown_ms" =~ ^[0-9]+$ ]] || die "SHUTDOWN_TIMEOUT_MS must be a number of milliseconds"
  # Docker must not SIGKILL the API while it is still draining requests.
  ((shutdown_ms < STOP_TIMEOUT_S * 1000)) ||
    die "SHUTDOWN_TIMEOUT_MS ($shutdown_ms) must be below the stop timeout (${STOP_TIMEOUT_S}s)"
}

config_set() {
  if [[ ${#ENV_PAIRS[@]} -eq 0 ]]; then
    [[ "$DRY_RUN" == "true" ]] && printf '%s\n' "$DOKKU config:set --no-restart $APP KEY=<value> ... (from --env-file)"
    return 0
  fi
  local masked=() key
  for key in "${ENV_KEYS[@]}"; do masked+=("$key=<redacted>"); done
  if [[ "$DRY_RUN" == "true" ]]; then
    printf '%s\n' "$DOKKU config:set --no-restart $APP ${masked[*]}"
    return 0
  fi
  log "\$ $DOKKU config:set --no-restart $APP ${masked[*]}"
  "$DOKKU" config:set --no-restart "$APP" "${ENV_PAIRS[@]}" >/dev/null ||
    die "config:set failed (output hidden because it would echo the values)"
}

# Writes stdin to a file under TARGET_ROOT with the given mode (one line in a dry run).
write_file() {
  local file="$TARGET_ROOT$1" mode="$2" content
  content="$(cat)"
  if [[ "$DRY_RUN" == "true" ]]; then
    printf 'write %s (mode %s)\n' "$1" "$mode"
    return 0
  fi
  log "writing $1"
  { install -d "$(dirname "$file")" && install -m "$mode" /dev/null "$file"; } || die "cannot create $file"
  printf '%s\n' "$content" >"$file" || die "cannot write $file"
}

# Appends a line to a file under TARGET_ROOT unless it is there already.
ensure_line() {
  local file="$TARGET_ROOT$1" line="$2"
  if [[ "$DRY_RUN" == "true" ]]; then
    printf 'ensure line in %s: %s\n' "$1" "$line"
    return 0
  fi
  grep -qxF "$line" "$file" 2>/dev/null && return 0
  log "adding '$line' to $1"
  { install -d "$(dirname "$file")" && printf '%s\n' "$line" >>"$file"; } || die "cannot write $file"
}

# shellcheck source=scripts/lib/ssh-firewall.bash
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/ssh-firewall.bash"

if [[ "$DRY_RUN" == "false" ]]; then
  [[ -n "$TARGET_ROOT" || "$(id -u)" -eq 0 ]] || die "run as root on the app node"
  command -v "$DOKKU" >/dev/null || die "dokku not found: install Dokku first (docs/deploy.md step 2)"
fi
read_env_file
check_env
LOG_SINK=""
if [[ -n "$LOG_SINK_FILE" ]]; then
  [[ -r "$LOG_SINK_FILE" ]] || die "cannot read --log-sink-file '$LOG_SINK_FILE'"
  [[ "$(stat -c %a "$LOG_SINK_FILE")" == 600 ]] || die "--log-sink-file must be mode 600 (it holds the sink's credentials): chmod 600 $LOG_SINK_FILE"
  LOG_SINK="$(tr -d '\r\n' <"$LOG_SINK_FILE")"
  # Dokku's format (dokku/dokku docs/deployment/logs.md): SINK_TYPE://?OPTIONS, e.g. loki://?endpoint=...
  [[ "$LOG_SINK" =~ ^[a-z_]+://\?.+ ]] || die "--log-sink-file: expected one Vector sink DSN like loki://?endpoint=...; see docs/deploy.md"
fi
HEARTBEAT_URL=""
if [[ -n "$HEARTBEAT_URL_FILE" ]]; then
  [[ -r "$HEARTBEAT_URL_FILE" ]] || die "cannot read --heartbeat-url-file '$HEARTBEAT_URL_FILE'"
  [[ "$(stat -c %a "$HEARTBEAT_URL_FILE")" == 600 ]] || die "--heartbeat-url-file must be mode 600 (anyone with the URL can ping it): chmod 600 $HEARTBEAT_URL_FILE"
  HEARTBEAT_URL="$(tr -d '\r\n' <"$HEARTBEAT_URL_FILE")"
  [[ "$HEARTBEAT_URL" =~ ^https?://[^[:space:]]+$ ]] || die "--heartbeat-url-file: expected one http(s) ping URL, e.g. https://hc-ping.com/<uuid>"
fi
if [[ "$SKIP_FIREWALL" == "false" && "$DRY_RUN" == "false" ]]; then firewall_precheck; fi

log "app node setup for '$APP'$([[ "$DRY_RUN" == "true" ]] && echo " (dry run: nothing is changed)")"
if [[ "$DRY_RUN" == "true" ]] || ! "$DOKKU" apps:exists "$APP" >/dev/null 2>&1; then
  run "$DOKKU" apps:create "$APP"
else
  log "app '$APP' exists"
fi
run "$DOKKU" domains:set "$APP" "$DOMAIN"
# Without it a later global deploy-branch (Dokku's default: master) makes every push of main a
# warning that deploys nothing (plugins/git/functions, fn-git-computed-deploy-branch).
run "$DOKKU" git:set "$APP" deploy-branch main
run "$DOKKU" builder-dockerfile:set "$APP" dockerfile-path dokku/Dockerfile
run "$DOKKU" app-json:set "$APP" appjson-path dokku/app.json
run "$DOKKU" ps:set "$APP" procfile-path dokku/Procfile
# PORT in the container is the first mapping's container port (scheduler-docker-local), and the
# startup check uses it because dokku/app.json names no port.
run "$DOKKU" ports:set "$APP" "http:$PORT_NUMBER:$PORT_NUMBER"
# Dokku's nginx listens on every address by default (nginx-vhosts/templates/nginx.conf.sigil);
# cloudflared is its only client, on loopback.
run "$DOKKU" nginx:set "$APP" bind-address-ipv4 127.0.0.1
run "$DOKKU" nginx:set "$APP" bind-address-ipv6 ::1
run "$DOKKU" proxy:build-config "$APP"
run "$DOKKU" ps:set "$APP" stop-timeout-seconds "$STOP_TIMEOUT_S"
run "$DOKKU" checks:set "$APP" wait-to-retire "$WAIT_TO_RETIRE_S"
run "$DOKKU" ps:scale --skip-deploy "$APP" web=1
config_set
if [[ -n "$LOG_SINK" ]]; then
  if [[ "$DRY_RUN" == "true" ]]; then
    printf '%s\n' "$DOKKU logs:set --global vector-sink <from $LOG_SINK_FILE>"
  else
    log "\$ $DOKKU logs:set --global vector-sink <from $LOG_SINK_FILE>"
    "$DOKKU" logs:set --global vector-sink "$LOG_SINK" >/dev/null || die "logs:set vector-sink failed"
  fi
fi

# The Dockerfile's cache mounts need BuildKit; Docker >= 24 uses it anyway (Dokku docs,
# deployment/builders/dockerfiles.md: "export DOCKER_BUILDKIT=1" in /etc/default/dokku).
ensure_line /etc/default/dokku "export DOCKER_BUILDKIT=1"
ensure_line /etc/default/dokku "export BUILDKIT_PROGRESS=plain"
# Security updates without a person: the package, and the two periodic settings it reads.
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unattended-upgrades
write_file /etc/apt/apt.conf.d/20auto-upgrades 0644 <<'EOF'
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
EOF

if [[ -n "$HEARTBEAT_URL" ]]; then
  script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  run install -D -m 0755 "$script_dir/heartbeat.sh" "$TARGET_ROOT/usr/local/bin/coaching-heartbeat.sh"
  run install -D -m 0644 -t "$TARGET_ROOT/etc/systemd/system" "$script_dir/coaching-heartbeat.service" "$script_dir/coaching-heartbeat.timer"
  write_file /etc/default/coaching-heartbeat 0600 <<<"HEARTBEAT_URL=$HEARTBEAT_URL"
  run systemctl daemon-reload
  run systemctl enable --now coaching-heartbeat.timer
fi

if [[ "$SKIP_FIREWALL" == "false" ]]; then
  run "$UFW" default deny incoming
  run "$UFW" default allow outgoing
  run "$UFW" allow in on "$SSH_INTERFACE" to any port 22 proto tcp
  # Peers' tunnel guards read this node's cloudflared /ready (cloudflared/setup-replica.sh).
  run "$UFW" allow in on "$SSH_INTERFACE" to any port 20241 proto tcp
  run "$UFW" --force enable
fi
log "done$([[ "$DRY_RUN" == "true" ]] && echo " (dry run)"); next: git push dokku-node-N main (docs/deploy.md)"
