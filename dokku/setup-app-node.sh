#!/usr/bin/env bash
# Prepares an app node (Dokku already installed) for the API: app, Dokku file locations, port,
# stop timeout, checks, config from an env file (values never printed), firewall. Idempotent.
set -euo pipefail

APP="${APP:-coaching-app}"
ENV_FILE=""
DOMAIN="${DOMAIN:-api.example.com}"
STOP_TIMEOUT_S="${STOP_TIMEOUT_S:-30}"
WAIT_TO_RETIRE_S="${WAIT_TO_RETIRE_S:-30}"
SSH_INTERFACE="${SSH_INTERFACE:-tailscale0}"
SKIP_FIREWALL="false"
DRY_RUN="false"
DOKKU="${DOKKU_BIN:-dokku}"
UFW="${UFW_BIN:-ufw}"
# Keys the API refuses to start without in production (backend/src/config.ts).
REQUIRED_KEYS=(APP_ENV DATABASE_URL REDIS_URL BETTER_AUTH_SECRET BETTER_AUTH_URL CORS_ORIGIN
  S3_ENDPOINT S3_BUCKET S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY)

usage() {
  cat <<'EOF'
usage: dokku/setup-app-node.sh --env-file FILE [options]

Run as root on an app node where Dokku is installed. Safe to run again.
  - creates the app (if missing) and sets its domain
  - points Dokku at dokku/Dockerfile, dokku/app.json and dokku/Procfile
  - ports:set http:3001:3001 (nginx on localhost:3001, which cloudflared forwards to)
  - stop timeout (default 30 s, must exceed SHUTDOWN_TIMEOUT_MS) and wait-to-retire
  - config:set --no-restart from the env file (KEY=VALUE lines; values are never printed)
  - ufw: deny all incoming except SSH on the Tailscale interface (cloudflared only dials out)

options:
  --env-file FILE        production env file (required unless --dry-run)
  --app NAME             Dokku app name (default coaching-app; env APP)
  --domain HOST          public API hostname the tunnel forwards (default api.example.com; env DOMAIN)
  --stop-timeout S       seconds Docker waits after SIGTERM before SIGKILL (default 30)
  --ssh-interface IFACE  interface allowed to reach SSH (default tailscale0)
  --skip-firewall        leave ufw alone
  --dry-run              print the exact commands, change nothing
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
    --env-file | --app | --domain | --stop-timeout | --ssh-interface)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --env-file) ENV_FILE="$2" ;;
        --app) APP="$2" ;;
        --domain) DOMAIN="$2" ;;
        --stop-timeout) STOP_TIMEOUT_S="$2" ;;
        --ssh-interface) SSH_INTERFACE="$2" ;;
      esac
      shift 2
      ;;
    --skip-firewall)
      SKIP_FIREWALL="true"
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
  local missing=() key
  for key in "${REQUIRED_KEYS[@]}"; do env_value "$key" >/dev/null || missing+=("$key"); done
  [[ ${#missing[@]} -eq 0 ]] || die "$ENV_FILE lacks: ${missing[*]}"
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

if [[ "$DRY_RUN" == "false" ]]; then
  [[ "$(id -u)" -eq 0 ]] || die "run as root on the app node"
  command -v "$DOKKU" >/dev/null || die "dokku not found: install Dokku first (docs/deploy.md step 2)"
fi
read_env_file
check_env

log "app node setup for '$APP'$([[ "$DRY_RUN" == "true" ]] && echo " (dry run: nothing is changed)")"
if [[ "$DRY_RUN" == "true" ]] || ! "$DOKKU" apps:exists "$APP" >/dev/null 2>&1; then
  run "$DOKKU" apps:create "$APP"
else
  log "app '$APP' exists"
fi
run "$DOKKU" domains:set "$APP" "$DOMAIN"
run "$DOKKU" builder-dockerfile:set "$APP" dockerfile-path dokku/Dockerfile
run "$DOKKU" app-json:set "$APP" appjson-path dokku/app.json
run "$DOKKU" ps:set "$APP" procfile-path dokku/Procfile
run "$DOKKU" ports:set "$APP" http:3001:3001
run "$DOKKU" ps:set "$APP" stop-timeout-seconds "$STOP_TIMEOUT_S"
run "$DOKKU" checks:set "$APP" wait-to-retire "$WAIT_TO_RETIRE_S"
config_set

if [[ "$SKIP_FIREWALL" == "false" ]]; then
  run "$UFW" default deny incoming
  run "$UFW" default allow outgoing
  run "$UFW" allow in on "$SSH_INTERFACE" to any port 22 proto tcp
  run "$UFW" --force enable
fi
log "done$([[ "$DRY_RUN" == "true" ]] && echo " (dry run)"); next: git push dokku-node-N main (docs/deploy.md)"
