#!/usr/bin/env bash
# One etcd member of the three Patroni keeps its leader key in (app-node-1, app-node-2,
# data-node-1), or, once all three run, etcd's authentication.
set -euo pipefail
SCRIPT_NAME="setup-etcd"
DRY_RUN="false"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=data-tier/lib.bash
source "$HERE/lib.bash"

usage() {
  cat <<'USAGE'
usage: data-tier/setup-etcd.sh --name NAME --address IP --members LIST --clients IPS [options]
       data-tier/setup-etcd.sh --enable-auth --endpoints LIST --secrets FILE|-

Member (run as root on each of app-node-1, app-node-2 and data-node-1; safe to run again):
  installs etcd-server and etcd-client, writes /etc/default/etcd (read by Debian's etcd.service),
  opens 2379 (clients) to the members and the data nodes and 2380 (peers) to the members only,
  starts etcd. Three members keep a quorum when any one is lost; a fourth VPS needs no member.
  --name NAME       this member's name: the node's name, e.g. app-node-1
  --address IP      this node's private address: etcd listens here (and on 127.0.0.1 for clients)
  --members LIST    all three members, NAME=IP comma separated (the same on every node), e.g.
                    app-node-1=10.0.0.1,app-node-2=10.0.0.2,data-node-1=10.0.0.3
  --clients IPS     the data nodes' addresses (Patroni connects from there), comma separated
  --join            this member replaces a lost one and joins the running cluster
                    (ETCD_INITIAL_CLUSTER_STATE=existing): first `etcdctl member remove` the lost
                    member and `etcdctl member add NAME --peer-urls http://IP:2380` from a member
                    that runs (docs/runbooks/data-node-lost.md, step 2)
  --client-port N   default 2379      --peer-port N   default 2380
  --root DIR        write /etc/default/etcd below DIR and do nothing else (tests, review)

Authentication (once, from any member, after all three are up): creates root and a "patroni" user
allowed to read and write only Patroni's prefix /service/, then turns authentication on. Passwords
come from the secrets file (ETCD_ROOT_PASSWORD, ETCD_PATRONI_PASSWORD) and reach etcdctl on its
standard input and environment, never its command line. Safe to run again.
  --enable-auth     this mode
  --endpoints LIST  client endpoints, IP:2379 comma separated
  --secrets FILE|-  data-tier/make-secrets.sh's file; "-" reads stdin

  --dry-run         print what would be done, change nothing
  -h, --help        this text

Peer traffic (2380) is plain HTTP on the private network, limited by ufw to the three members;
clients authenticate with passwords. docs/architecture.md, "Data tier".
USAGE
}

NAME=""
ADDRESS=""
MEMBERS=""
CLIENTS=""
CLIENT_PORT=2379
PEER_PORT=2380
ROOT=""
ENABLE_AUTH="false"
CLUSTER_STATE="new"
ENDPOINTS=""
SECRETS=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name | --address | --members | --clients | --client-port | --peer-port | --root | --endpoints | --secrets)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --name) NAME="$2" ;;
        --address) ADDRESS="$2" ;;
        --members) MEMBERS="$2" ;;
        --clients) CLIENTS="$2" ;;
        --client-port) CLIENT_PORT="$2" ;;
        --peer-port) PEER_PORT="$2" ;;
        --root) ROOT="$2" ;;
        --endpoints) ENDPOINTS="$2" ;;
        --secrets) SECRETS="$2" ;;
      esac
      shift 2
      ;;
    --enable-auth) ENABLE_AUTH="true" && shift ;;
    --join) CLUSTER_STATE="existing" && shift ;;
    --dry-run) DRY_RUN="true" && shift ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

# etcdctl v3 reads every flag from ETCDCTL_<FLAG> too: the root credentials go there, not argv.
etcdctl_root() { ETCDCTL_API=3 ETCDCTL_ENDPOINTS="$ENDPOINTS" ETCDCTL_USER="root:$ETCD_ROOT_PASSWORD" etcdctl "$@"; }
etcdctl_open() { ETCDCTL_API=3 ETCDCTL_ENDPOINTS="$ENDPOINTS" etcdctl "$@"; }

enable_auth() {
  [[ -n "$ENDPOINTS" && -n "$SECRETS" ]] || die "--enable-auth needs --endpoints and --secrets (see --help)"
  read_secrets "$SECRETS" ETCD_ROOT_PASSWORD ETCD_PATRONI_PASSWORD
  require_strong ETCD_ROOT_PASSWORD ETCD_PATRONI_PASSWORD
  if [[ "$DRY_RUN" == "true" ]]; then
    printf '%s\n' "etcdctl user add root --interactive=false   (password on stdin)" \
      "etcdctl role add patroni" "etcdctl role grant-permission patroni --prefix=true readwrite /service/" \
      "etcdctl user add patroni --interactive=false   (password on stdin)" \
      "etcdctl user grant-role patroni patroni" "etcdctl auth enable"
    return 0
  fi
  command -v etcdctl >/dev/null || die "etcdctl not found: apt-get install -y etcd-client"
  # Already on: the root password must work, and then there is nothing to do.
  if etcdctl_root auth status 2>/dev/null | grep -q 'Authentication Status: true'; then
    etcdctl_root user get patroni >/dev/null || die "authentication is on but user patroni is missing or the root password is wrong"
    log "authentication already enabled; users root and patroni exist"
    return 0
  fi
  etcdctl_open endpoint health >/dev/null || die "etcd at $ENDPOINTS is not healthy: start all three members first"
  etcdctl_open user get root >/dev/null 2>&1 ||
    etcdctl_open user add root --interactive=false <<<"$ETCD_ROOT_PASSWORD" >/dev/null
  etcdctl_open role get patroni >/dev/null 2>&1 || etcdctl_open role add patroni >/dev/null
  etcdctl_open role grant-permission patroni --prefix=true readwrite /service/ >/dev/null
  etcdctl_open user get patroni >/dev/null 2>&1 ||
    etcdctl_open user add patroni --interactive=false <<<"$ETCD_PATRONI_PASSWORD" >/dev/null
  etcdctl_open user grant-role patroni patroni >/dev/null
  etcdctl_open auth enable >/dev/null
  etcdctl_root endpoint health >/dev/null || die "etcd does not accept the root password after enabling authentication"
  log "authentication enabled: root, and patroni (read/write on /service/ only)"
}

if [[ "$ENABLE_AUTH" == "true" ]]; then
  enable_auth
  exit 0
fi

[[ -n "$NAME" && -n "$ADDRESS" && -n "$MEMBERS" && -n "$CLIENTS" ]] ||
  die "--name, --address, --members and --clients are required (see --help)"
if [[ -z "$ROOT" ]]; then
  is_private_ipv4 "$ADDRESS" || die "--address $ADDRESS is not a private address: etcd must never listen on a public one"
fi
IFS=',' read -r -a member_list <<<"$MEMBERS"
((${#member_list[@]} == 3)) || die "--members lists ${#member_list[@]} members; use exactly three"
initial_cluster=""
member_ips=()
found="false"
for member in "${member_list[@]}"; do
  # NAME=IP, or NAME=IP:CLIENT_PORT:PEER_PORT in the single-machine test topology.
  [[ "$member" =~ ^([a-z][a-z0-9-]*)=([0-9.]+)(:([0-9]+):([0-9]+))?$ ]] || die "--members entry '$member' is not NAME=IP"
  member_name="${BASH_REMATCH[1]}"
  member_ip="${BASH_REMATCH[2]}"
  member_peer_port="${BASH_REMATCH[5]:-$PEER_PORT}"
  initial_cluster+="${initial_cluster:+,}$member_name=http://$member_ip:$member_peer_port"
  member_ips+=("$member_ip")
  if [[ "$member_name" == "$NAME" ]]; then
    found="true"
    [[ "$member_ip" == "$ADDRESS" ]] || die "--members gives $NAME the address $member_ip, not --address $ADDRESS"
  fi
done
[[ "$found" == "true" ]] || die "--members does not list this member ($NAME)"
IFS=',' read -r -a client_list <<<"$CLIENTS"

client_urls="http://$ADDRESS:$CLIENT_PORT"
[[ "$ADDRESS" == "127.0.0.1" ]] || client_urls+=",http://127.0.0.1:$CLIENT_PORT"
env_file="$ROOT/etc/default/etcd"
data_dir="$ROOT/var/lib/etcd/default"
# Mode 600 from the first byte: systemd (as root) reads it as etcd.service's EnvironmentFile, and
# preflight-node.sh --data-node wants no group or world bits on it.
write_private() { (umask 077 && printf '%s\n' "$2" >"$1") && chmod 600 "$1"; }
content="# etcd member $NAME, written by data-tier/setup-etcd.sh; read by etcd.service (EnvironmentFile).
ETCD_NAME=$NAME
ETCD_DATA_DIR=$data_dir
ETCD_LISTEN_CLIENT_URLS=$client_urls
ETCD_ADVERTISE_CLIENT_URLS=http://$ADDRESS:$CLIENT_PORT
ETCD_LISTEN_PEER_URLS=http://$ADDRESS:$PEER_PORT
ETCD_INITIAL_ADVERTISE_PEER_URLS=http://$ADDRESS:$PEER_PORT
ETCD_INITIAL_CLUSTER=$initial_cluster
ETCD_INITIAL_CLUSTER_TOKEN=coaching-etcd
# Read on the first start only ('new': the three found the cluster; 'existing': --join, a
# replacement member); with a data directory, etcd rejoins the cluster recorded there.
ETCD_INITIAL_CLUSTER_STATE=$CLUSTER_STATE
ETCD_AUTO_COMPACTION_RETENTION=1
ETCD_QUOTA_BACKEND_BYTES=1073741824"

if [[ "$DRY_RUN" == "true" ]]; then
  printf '(writes %s:)\n%s\n' "$env_file" "$content"
elif [[ -n "$ROOT" ]]; then
  mkdir -p "$(dirname "$env_file")" "$data_dir"
  chmod 700 "$data_dir"
  write_private "$env_file" "$content"
  log "wrote $env_file; --root touches nothing else"
  exit 0
fi

[[ "$DRY_RUN" == "true" || "$(id -u)" -eq 0 ]] || die "run as root"
export DEBIAN_FRONTEND=noninteractive
run apt-get install -y -qq etcd-server etcd-client
if [[ "$DRY_RUN" == "false" ]]; then
  # The package's postinst starts etcd at once with the unit's defaults (ETCD_NAME=%H, data in
  # /var/lib/etcd/default, a one-member cluster on localhost:2380). Restarted with the settings
  # below, etcd would keep that one-member cluster, because an initialised data directory wins
  # over ETCD_INITIAL_CLUSTER: three nodes, three clusters, and Patroni's leader key in each.
  if etcd_is_package_default "http://127.0.0.1:$CLIENT_PORT"; then
    log "the package started etcd with its defaults (one member on localhost, no keys): removing its data directory $data_dir"
    run systemctl stop etcd
    rm -rf "$data_dir"
  fi
  # A changed member list must not meet an old data directory silently.
  if [[ -f "$env_file" ]] && ! grep -qxF "ETCD_INITIAL_CLUSTER=$initial_cluster" "$env_file" && [[ -d "$data_dir/member" ]]; then
    log "note: the member list changed while $data_dir holds data; membership changes go through etcdctl member add/remove (docs/runbooks/data-node-lost.md)"
  fi
  write_private "$env_file" "$content"
  log "wrote $env_file (mode 600)"
fi
for ip in $(printf '%s\n' "${member_ips[@]}" "${client_list[@]}" | sort -u); do
  [[ "$ip" == "$ADDRESS" ]] && continue
  run ufw allow from "$ip" to "$ADDRESS" port "$CLIENT_PORT" proto tcp
done
for ip in "${member_ips[@]}"; do
  [[ "$ip" == "$ADDRESS" ]] && continue
  run ufw allow from "$ip" to "$ADDRESS" port "$PEER_PORT" proto tcp
done
run install -D -m 644 "$HERE/systemd/etcd-override.conf" /etc/systemd/system/etcd.service.d/coaching.conf
run systemctl daemon-reload
run systemctl enable etcd
# --no-block: etcd is "started" for systemd only once two of the three members run, so the member
# set up first would keep a blocking restart waiting until the next one is set up.
run systemctl restart --no-block etcd
if [[ "$DRY_RUN" == "false" ]]; then
  deadline=$((SECONDS + 30))
  until [[ "$(systemctl is-active etcd 2>/dev/null)" == "active" ]] || ((SECONDS >= deadline)); do sleep 1; done
  if [[ "$(systemctl is-active etcd 2>/dev/null)" == "active" ]]; then
    log "etcd is up with a quorum"
  else
    log "etcd is starting and waits for a second member (systemd reports it active once two of the three run): set up the next member"
  fi
  ! etcd_is_package_default "http://127.0.0.1:$CLIENT_PORT" ||
    die "etcd still runs the package's one-member default cluster (peer URL on localhost); stop it, remove $data_dir and run this again"
fi
log "member $NAME configured"
