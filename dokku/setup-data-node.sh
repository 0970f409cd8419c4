#!/usr/bin/env bash
# Prepares the data node (Dokku already installed): Postgres and Redis services, reachable only on
# the private network, and the DATABASE_URL/REDIS_URL app nodes need. Idempotent.
set -euo pipefail

DB_SERVICE="${DB_SERVICE:-coaching-app-db}"
REDIS_SERVICE="${REDIS_SERVICE:-coaching-app-redis}"
PRIVATE_IP="${PRIVATE_IP:-}"
OUT_FILE="${OUT_FILE:-/root/coaching-app-data-urls.env}"
SSH_INTERFACE="${SSH_INTERFACE:-tailscale0}"
SKIP_FIREWALL="false"
DRY_RUN="false"
DOKKU="${DOKKU_BIN:-dokku}"
UFW="${UFW_BIN:-ufw}"

usage() {
  cat <<'EOF'
usage: dokku/setup-data-node.sh --private-ip IP [options]

Run as root on the data node where Dokku is installed. Safe to run again.
  - installs the dokku-postgres and dokku-redis plugins (if missing)
  - creates coaching-app-db and coaching-app-redis (Redis with a generated password)
  - exposes them ONLY on the private IP (postgres:expose <svc> IP:5432, redis:expose <svc> IP:6379)
  - writes DATABASE_URL and REDIS_URL (private IP) to a root-only file and prints them masked
  - ufw: deny all incoming except SSH on the Tailscale interface

options:
  --private-ip IP        this node's address on the provider's private network (required)
  --out-file FILE        where the URLs are written, mode 600 (default /root/coaching-app-data-urls.env)
  --ssh-interface IFACE  interface allowed to reach SSH (default tailscale0)
  --skip-firewall        leave ufw alone
  --dry-run              print the exact commands, change nothing
  --help                 this text

Note: Docker publishes ports with its own iptables rules, which ufw does not filter. Binding to the
private IP is what keeps Postgres and Redis off the public interface; restrict the private network
to the app nodes in the provider's firewall as well.
EOF
}

log() { printf '%s setup-data-node: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --private-ip | --out-file | --ssh-interface)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --private-ip) PRIVATE_IP="$2" ;;
        --out-file) OUT_FILE="$2" ;;
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

[[ -n "$PRIVATE_IP" ]] || die "--private-ip is required (see --help)"
[[ "$PRIVATE_IP" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || die "--private-ip '$PRIVATE_IP' is not an IPv4 address"
case "$PRIVATE_IP" in
  10.* | 192.168.* | 172.1[6-9].* | 172.2[0-9].* | 172.3[01].*) ;;
  *) die "--private-ip $PRIVATE_IP is not a private (RFC 1918) address; refusing to expose the databases on it" ;;
esac

# Prints the command (quoted so it can be pasted) and runs it unless --dry-run. Arguments after a
# literal --secret are shown as <generated> and never logged.
run() {
  local shown=() arg secret="false"
  local real=()
  for arg in "$@"; do
    if [[ "$arg" == "--secret" ]]; then
      secret="true"
      continue
    fi
    real+=("$arg")
    if [[ "$secret" == "true" ]]; then shown+=("<generated>"); else shown+=("$(printf '%q' "$arg")"); fi
  done
  if [[ "$DRY_RUN" == "true" ]]; then
    printf '%s\n' "${shown[*]}"
    return 0
  fi
  log "\$ ${shown[*]}"
  "${real[@]}" >&2 || die "'${shown[*]}' failed (exit $?)"
}

# True when not a dry run and the check command succeeds (a dry run shows every command).
exists() { [[ "$DRY_RUN" == "false" ]] && "$@" >/dev/null 2>&1; }

# "-" when the service has no exposed port (dokku-postgres/-redis report format).
exposed() { [[ "$DRY_RUN" == "false" ]] && [[ "$("$DOKKU" "$1:info" "$2" --exposed-ports 2>/dev/null)" != "-" ]]; }

if [[ "$DRY_RUN" == "false" ]]; then
  [[ "$(id -u)" -eq 0 ]] || die "run as root on the data node"
  command -v "$DOKKU" >/dev/null || die "dokku not found: install Dokku first (docs/deploy.md step 2)"
  command -v openssl >/dev/null || die "openssl is required to generate the Redis password"
fi
log "data node setup on $PRIVATE_IP$([[ "$DRY_RUN" == "true" ]] && echo " (dry run: nothing is changed)")"

exists "$DOKKU" plugin:installed postgres || run "$DOKKU" plugin:install https://github.com/dokku/dokku-postgres.git postgres
exists "$DOKKU" plugin:installed redis || run "$DOKKU" plugin:install https://github.com/dokku/dokku-redis.git redis

exists "$DOKKU" postgres:exists "$DB_SERVICE" || run "$DOKKU" postgres:create "$DB_SERVICE"
if ! exists "$DOKKU" redis:exists "$REDIS_SERVICE"; then
  redis_password="dry-run"
  [[ "$DRY_RUN" == "true" ]] || redis_password="$(openssl rand -hex 32)"
  run "$DOKKU" redis:create "$REDIS_SERVICE" --password --secret "$redis_password"
fi

exposed postgres "$DB_SERVICE" || run "$DOKKU" postgres:expose "$DB_SERVICE" "$PRIVATE_IP:5432"
exposed redis "$REDIS_SERVICE" || run "$DOKKU" redis:expose "$REDIS_SERVICE" "$PRIVATE_IP:6379"

if [[ "$SKIP_FIREWALL" == "false" ]]; then
  run "$UFW" default deny incoming
  run "$UFW" default allow outgoing
  run "$UFW" allow in on "$SSH_INTERFACE" to any port 22 proto tcp
  run "$UFW" --force enable
fi

# The services' DSNs name the container host (dokku-postgres-...:5432); app nodes reach them on the
# private IP instead.
private_url() { sed -E "s#@[^/:]+(:[0-9]+)?#@$PRIVATE_IP:$2#" <<<"$1"; }
mask() { sed -E 's#(://[^:/@]*:)[^@]*@#\1****@#' <<<"$1"; }

if [[ "$DRY_RUN" == "true" ]]; then
  printf '%s\n' "$DOKKU postgres:info $DB_SERVICE --dsn" "$DOKKU redis:info $REDIS_SERVICE --dsn"
  printf '%s\n' "(writes DATABASE_URL and REDIS_URL on $PRIVATE_IP to $OUT_FILE, mode 600)"
  exit 0
fi
db_dsn="$("$DOKKU" postgres:info "$DB_SERVICE" --dsn)" || die "postgres:info failed"
redis_dsn="$("$DOKKU" redis:info "$REDIS_SERVICE" --dsn)" || die "redis:info failed"
database_url="$(private_url "$db_dsn" 5432)"
redis_url="$(private_url "$redis_dsn" 6379)"
[[ "$redis_url" == *://:?*@* || "$redis_url" == *://*:?*@* ]] ||
  die "the Redis DSN carries no password; recreate $REDIS_SERVICE (the API refuses Redis without one)"
(
  umask 077
  printf 'DATABASE_URL=%s\nREDIS_URL=%s\n' "$database_url" "$redis_url" >"$OUT_FILE"
)
log "wrote $OUT_FILE (mode 600). Values, masked:"
printf 'DATABASE_URL=%s\nREDIS_URL=%s\n' "$(mask "$database_url")" "$(mask "$redis_url")"
log "copy both lines into each app node's env file for dokku/setup-app-node.sh --env-file"
