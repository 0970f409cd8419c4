#!/usr/bin/env bash
# Prepares one data node: Postgres from OS packages managed by Patroni (etcd as its consensus
# store), pgBackRest archiving to R2, Redis on data-node-1. Idempotent; run it again after any
# change of template or topology.
# Variables in CAPITALS below are the templates' @NAME@ values, read by name in render():
# shellcheck disable=SC2034
set -euo pipefail
SCRIPT_NAME="setup-data-node"
DRY_RUN="false"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=data-tier/lib.bash
source "$HERE/lib.bash"

usage() {
  cat <<'USAGE'
usage: data-tier/setup-data-node.sh --name NAME --address IP --etcd HOSTS --app-nodes IPS
                                    --secrets FILE|- [options]

Run as root on a data node (Debian 12 or Ubuntu 24.04), from a clone of this repository. Safe to
run again. In order:
  1. packages: postgresql-15 (from apt.postgresql.org where the OS has another major; Debian's
     automatic "main" cluster is not created), patroni, pgbackrest, redis-server (--redis), ufw,
     unattended-upgrades; refuses a second Postgres major on the machine
  2. /etc/patroni/config.yml and /etc/pgbackrest/pgbackrest.conf from data-tier/templates (mode 600,
     owner postgres: they hold the passwords), pgBackRest's TLS key and certificates
  3. systemd: patroni (restarted at once if it dies; the softdog watchdog reboots the machine if
     Patroni stops while Postgres would serve on), pgbackrest TLS server (with a --peer),
     timers for the daily backup (data-tier/backup.sh), the weekly restore check
     (data-tier/restore-check.sh) and the WAL heartbeat
  4. Redis (--redis): bound to the private address and loopback, with a password
  5. ufw: deny all incoming; Postgres, Patroni's API and Redis from the app nodes and the peer
     only; pgBackRest's TLS server from the peer; SSH on tailscale0
  6. starts Patroni and waits until this node is the primary or a streaming standby; on the
     primary, creates the pgBackRest stanza (once) and runs pgbackrest check

required:
  --name NAME          this node's member name: data-node-1 or data-node-2
  --address IP         this node's private address; Postgres, Patroni and Redis listen only here
  --etcd HOSTS         the three etcd members' client endpoints, IP:2379 comma separated
                       (data-tier/setup-etcd.sh on app-node-1, app-node-2 and data-node-1)
  --app-nodes IPS      the app nodes' private addresses, comma separated
  --secrets FILE|-     the secrets file from data-tier/make-secrets.sh; "-" reads it from stdin:
                         ssh root@data-node-1 /opt/coaching-app/data-tier/setup-data-node.sh \
                           ... --secrets - < coaching-data-tier.env
options:
  --peer NAME=IP       the other data node (4-VPS shape): synchronous standby, backups from the
                       standby over pgBackRest's TLS server
  --redis              run Redis here (data-node-1 only; Redis stays single, docs/architecture.md)
  --pg-port N          Postgres port (default 5432)        --rest-port N  Patroni API (default 8008)
  --tls-port N         pgBackRest TLS server (default 8432)
  --ssh-interface IF   interface SSH is allowed on (default tailscale0)
  --force-firewall     enable ufw without the Tailscale checks (from the provider's console)
  --root DIR           write every file below DIR and touch nothing else: no packages, services,
                       firewall or /etc/hosts (tests and review)
  --dry-run            print what would be done, change nothing
  -h, --help           this text
USAGE
}

NODE_NAME=""
PRIVATE_ADDRESS=""
ETCD_HOSTS=""
APP_NODES=""
SECRETS=""
PEER=""
WITH_REDIS="false"
PG_PORT=5432
REST_PORT=8008
TLS_PORT=8432
SSH_INTERFACE="tailscale0"
FORCE_FIREWALL="false"
ROOT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name | --address | --etcd | --app-nodes | --secrets | --peer | --pg-port | --rest-port | --tls-port | --ssh-interface | --root)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --name) NODE_NAME="$2" ;;
        --address) PRIVATE_ADDRESS="$2" ;;
        --etcd) ETCD_HOSTS="$2" ;;
        --app-nodes) APP_NODES="$2" ;;
        --secrets) SECRETS="$2" ;;
        --peer) PEER="$2" ;;
        --pg-port) PG_PORT="$2" ;;
        --rest-port) REST_PORT="$2" ;;
        --tls-port) TLS_PORT="$2" ;;
        --ssh-interface) SSH_INTERFACE="$2" ;;
        --root) ROOT="$2" ;;
      esac
      shift 2
      ;;
    --redis) WITH_REDIS="true" && shift ;;
    --force-firewall) FORCE_FIREWALL="true" && shift ;;
    --dry-run) DRY_RUN="true" && shift ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

# --- inputs -------------------------------------------------------------------------------------
[[ -n "$NODE_NAME" && -n "$PRIVATE_ADDRESS" && -n "$ETCD_HOSTS" && -n "$APP_NODES" && -n "$SECRETS" ]] ||
  die "--name, --address, --etcd, --app-nodes and --secrets are required (see --help)"
[[ "$NODE_NAME" =~ ^[a-z][a-z0-9-]{0,62}$ ]] || die "--name '$NODE_NAME': lower-case letters, digits and dashes"
# The test topology runs every node on loopback; a real node must use its private address.
if [[ -z "$ROOT" ]]; then
  is_private_ipv4 "$PRIVATE_ADDRESS" ||
    die "--address $PRIVATE_ADDRESS is not a private address (10/8, 172.16/12, 192.168/16, 100.64/10): Postgres must never listen on a public one"
fi
for port in "$PG_PORT" "$REST_PORT" "$TLS_PORT"; do
  is_port "$port" || die "port '$port' is not 1-65535"
done
IFS=',' read -r -a etcd_list <<<"$ETCD_HOSTS"
((${#etcd_list[@]} == 3)) ||
  die "--etcd lists ${#etcd_list[@]} members; etcd needs exactly three here (one per app node and data-node-1) for a quorum that survives one loss"
for host in "${etcd_list[@]}"; do
  [[ "$host" =~ ^[0-9.]+:[0-9]+$ ]] || die "--etcd member '$host' is not IP:port"
done
IFS=',' read -r -a app_list <<<"$APP_NODES"
for ip in "${app_list[@]}"; do
  [[ "$ip" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || die "--app-nodes entry '$ip' is not an IPv4 address"
done
PEER_NAME=""
PEER_ADDRESS=""
PEER_PG_PORT="$PG_PORT"
PEER_TLS_PORT="$TLS_PORT"
if [[ -n "$PEER" ]]; then
  # NAME=IP, or NAME=IP:PG_PORT:TLS_PORT in the single-machine test topology.
  [[ "$PEER" =~ ^([a-z][a-z0-9-]*)=([0-9.]+)(:([0-9]+):([0-9]+))?$ ]] || die "--peer '$PEER' is not NAME=IP"
  PEER_NAME="${BASH_REMATCH[1]}"
  PEER_ADDRESS="${BASH_REMATCH[2]}"
  [[ -z "${BASH_REMATCH[3]}" ]] || {
    PEER_PG_PORT="${BASH_REMATCH[4]}"
    PEER_TLS_PORT="${BASH_REMATCH[5]}"
  }
  [[ "$PEER_NAME" != "$NODE_NAME" ]] || die "--peer names this node"
fi

node_var="$(tr 'a-z-' 'A-Z_' <<<"$NODE_NAME")"
peer_var="$(tr 'a-z-' 'A-Z_' <<<"$PEER_NAME")"
keys=(PG_SUPERUSER_PASSWORD PG_REPLICATION_PASSWORD PG_REWIND_PASSWORD PATRONI_REST_PASSWORD
  ETCD_PATRONI_PASSWORD PGBACKREST_CIPHER_PASS PGBACKREST_S3_ENDPOINT PGBACKREST_S3_BUCKET
  PGBACKREST_S3_KEY PGBACKREST_S3_KEY_SECRET)
[[ "$WITH_REDIS" == "false" ]] || keys+=(REDIS_PASSWORD)
[[ -z "$PEER" ]] || keys+=(TLS_CA_CERT_B64 "TLS_${node_var}_CERT_B64" "TLS_${node_var}_KEY_B64")
read_secrets "$SECRETS" "${keys[@]}"
require_strong PG_SUPERUSER_PASSWORD PG_REPLICATION_PASSWORD PG_REWIND_PASSWORD PATRONI_REST_PASSWORD \
  ETCD_PATRONI_PASSWORD PGBACKREST_CIPHER_PASS
[[ "$WITH_REDIS" == "false" ]] || require_strong REDIS_PASSWORD

if [[ -z "$ROOT" && "$DRY_RUN" == "false" ]]; then
  [[ "$(id -u)" -eq 0 ]] || die "run as root on the data node"
fi
log "data node $NODE_NAME on $PRIVATE_ADDRESS${PEER:+, peer $PEER_NAME}$([[ "$DRY_RUN" == "true" ]] && echo " (dry run: nothing is changed)")"

# --- paths --------------------------------------------------------------------------------------
CLUSTER="coaching"
STANZA="coaching"
CONFIG_DIR="$ROOT/etc/patroni"
PATRONI_CONF="$CONFIG_DIR/config.yml"
PGBACKREST_DIR="$ROOT/etc/pgbackrest"
PGBR_CONF="$PGBACKREST_DIR/pgbackrest.conf"
DATA_DIR="$ROOT/var/lib/postgresql/$PG_MAJOR/$CLUSTER"
SOCKET_DIR="$ROOT/var/run/postgresql"
SPOOL_DIR="$ROOT/var/spool/pgbackrest"
LOCK_DIR="$ROOT/tmp/pgbackrest"
LOG_DIR="$ROOT/var/log/pgbackrest"
PG_BIN_DIR="/usr/lib/postgresql/$PG_MAJOR/bin"
ARCHIVE_TIMEOUT_S="${DATA_TIER_ARCHIVE_TIMEOUT_S:-60}"
WATCHDOG_MODE="automatic"
LISTEN_ADDRESSES="$PRIVATE_ADDRESS"
[[ -z "$ROOT" ]] || WATCHDOG_MODE="off" # no watchdog device for a test topology on one machine
ETCD_HOSTS="$(IFS=,; echo "${etcd_list[*]}")"

# --- 1. packages --------------------------------------------------------------------------------
install_packages() {
  export DEBIAN_FRONTEND=noninteractive
  # Debian's postgresql-common creates and starts a "main" cluster on install; Patroni owns the
  # only cluster here, so none is created.
  run install -d /etc/postgresql-common/createcluster.d
  if [[ "$DRY_RUN" == "true" ]]; then
    echo "(writes /etc/postgresql-common/createcluster.d/coaching.conf: create_main_cluster = false)"
  else
    printf 'create_main_cluster = false\n' >/etc/postgresql-common/createcluster.d/coaching.conf
  fi
  run apt-get update -qq
  if ! apt-cache show "postgresql-$PG_MAJOR" >/dev/null 2>&1; then
    # Ubuntu 24.04 ships 16 only: the PostgreSQL project's repository has every supported major.
    run apt-get install -y -qq postgresql-common
    run /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y
  fi
  local packages=("postgresql-$PG_MAJOR" "postgresql-client-$PG_MAJOR" patroni pgbackrest ufw unattended-upgrades curl jq)
  [[ "$WITH_REDIS" == "false" ]] || packages+=(redis-server)
  run apt-get install -y -qq "${packages[@]}"
  [[ "$DRY_RUN" == "true" ]] && return 0
  local majors
  majors="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')"
  [[ "$majors" == "$PG_MAJOR " ]] ||
    die "Postgres majors installed: $majors; only $PG_MAJOR may be (pg_restore refuses newer archives): apt-get purge the others"
  "$PG_BIN_DIR/postgres" --version | grep -q " $PG_MAJOR\." || die "$PG_BIN_DIR/postgres is not Postgres $PG_MAJOR"
  # The Debian package enables patroni.service; it must not start before its config is complete.
  systemctl disable --now redis-server >/dev/null 2>&1 || true
}
if [[ -z "$ROOT" ]]; then install_packages; fi

# --- 2. configuration ---------------------------------------------------------------------------
own="postgres:postgres"
for dir in "$CONFIG_DIR" "$PGBACKREST_DIR" "$(dirname "$DATA_DIR")" "$SOCKET_DIR" "$SPOOL_DIR" "$LOCK_DIR" "$LOG_DIR"; do
  if [[ "$DRY_RUN" == "true" ]]; then
    echo "(directory $dir, owner $own)"
  else
    install -d -m 700 "$dir"
    [[ "$(id -u)" -ne 0 ]] || chown "$own" "$dir"
  fi
done
[[ "$DRY_RUN" == "true" ]] || chmod 2775 "$SOCKET_DIR"

PG_HBA_HOSTS=""
for ip in "${app_list[@]}"; do
  PG_HBA_HOSTS+="    - host all all $ip/32 scram-sha-256"$'\n'
done
replication_sources=("$PRIVATE_ADDRESS")
[[ -z "$PEER_ADDRESS" ]] || replication_sources+=("$PEER_ADDRESS")
for ip in $(printf '%s\n' "${replication_sources[@]}" | sort -u); do
  PG_HBA_HOSTS+="    - host replication replicator $ip/32 scram-sha-256"$'\n'
  PG_HBA_HOSTS+="    - host all all $ip/32 scram-sha-256"$'\n'
done
PG_HBA_HOSTS="${PG_HBA_HOSTS%$'\n'}"
render "$HERE/templates/patroni.yml" "$PATRONI_CONF" 600 "$own"

S3_ENDPOINT_HOST="${PGBACKREST_S3_ENDPOINT%:*}"
S3_PORT=443
[[ "$PGBACKREST_S3_ENDPOINT" != *:* ]] || S3_PORT="${PGBACKREST_S3_ENDPOINT##*:}"
S3_BUCKET="$PGBACKREST_S3_BUCKET"
S3_REGION="${PGBACKREST_S3_REGION:-auto}"
S3_ACCESS_KEY_ID="$PGBACKREST_S3_KEY"
S3_SECRET_ACCESS_KEY="$PGBACKREST_S3_KEY_SECRET"
S3_TLS_LINES="# TLS verified against the system's CA store"
# Only for a test S3 server with a private CA; R2's certificate is public.
[[ -z "${DATA_TIER_S3_CA_FILE:-}" ]] || S3_TLS_LINES="repo1-storage-ca-file=$DATA_TIER_S3_CA_FILE"
TLS_DIR="$PGBACKREST_DIR/tls"
TLS_SERVER_LINES="# no peer: no TLS server"
PEER_LINES="# no peer: backups run here, from this node"
if [[ -n "$PEER" ]]; then
  ca_var="TLS_CA_CERT_B64"
  cert_var="TLS_${node_var}_CERT_B64"
  key_var="TLS_${node_var}_KEY_B64"
  write_b64 "${!ca_var}" "$TLS_DIR/ca.crt" 600 "$own"
  write_b64 "${!cert_var}" "$TLS_DIR/$NODE_NAME.crt" 600 "$own"
  write_b64 "${!key_var}" "$TLS_DIR/$NODE_NAME.key" 600 "$own"
  TLS_SERVER_LINES="# The peer backs up through this server (backup-standby); only its certificate is let in.
tls-server-address=$PRIVATE_ADDRESS
tls-server-port=$TLS_PORT
tls-server-ca-file=$TLS_DIR/ca.crt
tls-server-cert-file=$TLS_DIR/$NODE_NAME.crt
tls-server-key-file=$TLS_DIR/$NODE_NAME.key
tls-server-auth=$PEER_NAME=$STANZA"
  # Server names are checked against the certificate's DNS names, so the peer is reached by its
  # name (/etc/hosts below), never by IP.
  PEER_LINES="pg2-host=${DATA_TIER_PEER_HOST:-$PEER_NAME}
pg2-host-type=tls
pg2-host-port=$PEER_TLS_PORT
pg2-host-ca-file=$TLS_DIR/ca.crt
pg2-host-cert-file=$TLS_DIR/$NODE_NAME.crt
pg2-host-key-file=$TLS_DIR/$NODE_NAME.key
pg2-path=${DATA_TIER_PEER_DATA_DIR:-$DATA_DIR}
pg2-port=$PEER_PG_PORT
pg2-socket-path=${DATA_TIER_PEER_SOCKET_DIR:-$SOCKET_DIR}"
fi
render "$HERE/templates/pgbackrest.conf" "$PGBR_CONF" 600 "$own"
: "$peer_var" # (named for symmetry with node_var; the peer's own key never comes here)

if [[ -n "$ROOT" ]]; then
  log "configuration written below $ROOT; --root touches nothing else"
  exit 0
fi

# --- /etc/hosts: the peer by name ---------------------------------------------------------------
if [[ -n "$PEER" ]]; then
  if [[ "$DRY_RUN" == "true" ]]; then
    echo "(ensures '$PEER_ADDRESS $PEER_NAME' in /etc/hosts)"
  elif ! grep -qE "^${PEER_ADDRESS}[[:space:]]+${PEER_NAME}\$" /etc/hosts; then
    sed -i -E "/[[:space:]]$PEER_NAME\$/d" /etc/hosts
    printf '%s %s\n' "$PEER_ADDRESS" "$PEER_NAME" >>/etc/hosts
  fi
fi

# --- 3. systemd ---------------------------------------------------------------------------------
install_unit() {
  local src="$1" dest="/etc/systemd/system/$2"
  if [[ "$DRY_RUN" == "true" ]]; then
    echo "(installs $dest from data-tier/systemd/$(basename "$src"))"
    return 0
  fi
  install -D -m 644 "$src" "$dest"
}
install_unit "$HERE/systemd/patroni-override.conf" patroni.service.d/coaching.conf
for unit in coaching-pgbackrest-backup.service coaching-pgbackrest-backup.timer \
  coaching-pg-heartbeat.service coaching-pg-heartbeat.timer \
  coaching-restore-check.service coaching-restore-check.timer; do
  install_unit "$HERE/systemd/$unit" "$unit"
done
if [[ "$DRY_RUN" == "true" ]]; then
  echo "(writes /etc/default/coaching-data-tier: REPO_DIR=$(dirname "$HERE"), PATRONI_API, the peer's)"
else
  # RESTORE_CHECK_PING_URL is the operator's (docs/deploy.md): kept across runs. Mode 600: the
  # ping URL lets anyone who has it report a success.
  ping_line="$(grep -E '^RESTORE_CHECK_PING_URL=' /etc/default/coaching-data-tier 2>/dev/null || true)"
  install -m 600 /dev/null /etc/default/coaching-data-tier.tmp
  cat >/etc/default/coaching-data-tier.tmp <<ENV
# Read by the coaching-* units on this data node (data-tier/systemd).
REPO_DIR=$(dirname "$HERE")
PATRONI_API=$PRIVATE_ADDRESS:$REST_PORT
PEER_API=${PEER_ADDRESS:+$PEER_ADDRESS:$REST_PORT}
PGBR_CONF=$PGBR_CONF
PGHOST=$SOCKET_DIR
PGPORT=$PG_PORT
${ping_line:-# RESTORE_CHECK_PING_URL=https://hc-ping.com/<uuid>}
ENV
  mv -f /etc/default/coaching-data-tier.tmp /etc/default/coaching-data-tier
fi
run systemctl daemon-reload
run modprobe softdog
[[ "$DRY_RUN" == "true" ]] || printf 'softdog\n' >/etc/modules-load.d/softdog.conf

# --- 4. Redis -----------------------------------------------------------------------------------
if [[ "$WITH_REDIS" == "true" ]]; then
  if [[ "$DRY_RUN" == "true" ]]; then
    echo "(writes /etc/redis/coaching.conf, mode 640 root:redis: bind $PRIVATE_ADDRESS 127.0.0.1, requirepass)"
  else
    install -m 640 -o root -g redis /dev/null /etc/redis/coaching.conf
    printf 'bind %s 127.0.0.1\nprotected-mode yes\nrequirepass %s\n' "$PRIVATE_ADDRESS" "$REDIS_PASSWORD" >/etc/redis/coaching.conf
    grep -qxF 'include /etc/redis/coaching.conf' /etc/redis/redis.conf ||
      printf '\ninclude /etc/redis/coaching.conf\n' >>/etc/redis/redis.conf
  fi
  run systemctl enable --now redis-server
  run systemctl restart redis-server
fi

# --- 5. firewall --------------------------------------------------------------------------------
# shellcheck source=scripts/lib/ssh-firewall.bash
source "$HERE/../scripts/lib/ssh-firewall.bash"
[[ "$DRY_RUN" == "true" ]] || firewall_precheck
run ufw default deny incoming
run ufw default allow outgoing
run ufw allow in on "$SSH_INTERFACE" to any port 22 proto tcp
for ip in "${app_list[@]}" ${PEER_ADDRESS:+"$PEER_ADDRESS"}; do
  run ufw allow from "$ip" to "$PRIVATE_ADDRESS" port "$PG_PORT" proto tcp
  run ufw allow from "$ip" to "$PRIVATE_ADDRESS" port "$REST_PORT" proto tcp
  [[ "$WITH_REDIS" == "false" ]] || run ufw allow from "$ip" to "$PRIVATE_ADDRESS" port 6379 proto tcp
done
[[ -z "$PEER_ADDRESS" ]] || run ufw allow from "$PEER_ADDRESS" to "$PRIVATE_ADDRESS" port "$TLS_PORT" proto tcp
run ufw --force enable
if [[ "$DRY_RUN" == "true" ]]; then
  echo "(writes /etc/apt/apt.conf.d/20auto-upgrades: Update-Package-Lists and Unattended-Upgrade \"1\")"
else
  printf 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n' >/etc/apt/apt.conf.d/20auto-upgrades
fi
run systemctl enable --now unattended-upgrades

# --- 6. start -----------------------------------------------------------------------------------
run systemctl enable patroni
run systemctl restart patroni
[[ -z "$PEER" ]] || run systemctl enable --now pgbackrest
[[ -z "$PEER" ]] || run systemctl restart pgbackrest
for timer in coaching-pgbackrest-backup coaching-pg-heartbeat coaching-restore-check; do
  run systemctl enable --now "$timer.timer"
done
if [[ "$DRY_RUN" == "true" ]]; then
  echo "(waits for http://$PRIVATE_ADDRESS:$REST_PORT/health; on the primary: pgbackrest stanza-create once, then check)"
  exit 0
fi
started="$(now)"
log "waiting for Patroni ($PRIVATE_ADDRESS:$REST_PORT) to run Postgres as primary or replica"
until patroni_is "$PRIVATE_ADDRESS:$REST_PORT" /health; do
  (($(date +%s) - ${started%.*} < 300)) || die "Patroni did not start Postgres in 300 s: journalctl -u patroni -n 50"
  sleep 2
done
if patroni_is "$PRIVATE_ADDRESS:$REST_PORT" /primary; then
  if ! runuser -u postgres -- pgbackrest --config="$PGBR_CONF" --stanza="$STANZA" info --output=json |
    jq -e '.[0].status.code == 0' >/dev/null 2>&1; then
    run runuser -u postgres -- pgbackrest --config="$PGBR_CONF" --stanza="$STANZA" stanza-create
  fi
  run runuser -u postgres -- pgbackrest --config="$PGBR_CONF" --stanza="$STANZA" check
fi
log "$NODE_NAME is up in $(since "$started") s: $(curl -fsS "http://$PRIVATE_ADDRESS:$REST_PORT/patroni" | jq -r '.role + ", " + .state')"
log "next: data-tier/create-database.sh for production and staging (docs/deploy.md, \"Data tier\")"
