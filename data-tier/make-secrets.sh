#!/usr/bin/env bash
# Generates the data tier's secrets file on the operator's machine (never on a server).
set -euo pipefail
# shellcheck disable=SC2034 # read by lib.bash
SCRIPT_NAME="make-secrets"
DRY_RUN="false"
# shellcheck source=data-tier/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

usage() {
  cat <<'USAGE'
usage: data-tier/make-secrets.sh --out FILE [--nodes "data-node-1 data-node-2"] [--dry-run]

Writes every password and key the data tier needs into FILE (mode 600; refuses to overwrite):
  PG_SUPERUSER_PASSWORD, PG_REPLICATION_PASSWORD, PG_REWIND_PASSWORD   Postgres, used by Patroni
  PATRONI_REST_PASSWORD      Patroni's REST API (user patroni) for every call that changes state
  ETCD_ROOT_PASSWORD, ETCD_PATRONI_PASSWORD   etcd's root and the patroni user (prefix /service/)
  PGBACKREST_CIPHER_PASS     encrypts the pgBackRest repository: without it no backup can be read
  REDIS_PASSWORD             Redis on data-node-1
  TLS_CA_CERT_B64, TLS_<NODE>_CERT_B64, TLS_<NODE>_KEY_B64
                             a private CA and one certificate per data node (CN = node name) for
                             pgBackRest's TLS server, through which the standby backs up the primary
and the repository's R2 keys as <placeholders> to fill in (R2 -> Manage API tokens, Object Read &
Write on the backups bucket): PGBACKREST_S3_ENDPOINT, PGBACKREST_S3_BUCKET, PGBACKREST_S3_KEY,
PGBACKREST_S3_KEY_SECRET.

Keep FILE in the password manager. It is piped to each node's setup over ssh and never stored on
a server: each node keeps only the values it uses, in mode-600 files (docs/deploy.md, "Data tier").

  --out FILE     where to write (required)
  --nodes LIST   data node names (default "data-node-1 data-node-2"; a third VPS later needs only
                 its certificate: run again with --nodes and --ca-from FILE)
  --ca-from FILE reuse the CA of an existing secrets file (adds certificates for new nodes)
  --extra-dns N  one more DNS name in every node certificate (the test topology: localhost)
  --dry-run      say what would be generated, write nothing
  -h, --help     this text
USAGE
}

out=""
nodes="data-node-1 data-node-2"
ca_from=""
extra_dns=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out | --nodes | --ca-from | --extra-dns)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --out) out="$2" ;;
        --nodes) nodes="$2" ;;
        --ca-from) ca_from="$2" ;;
        --extra-dns) extra_dns="$2" ;;
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
[[ -n "$out" ]] || die "--out FILE is required (see --help)"
[[ ! -e "$out" ]] || die "$out exists; refusing to overwrite secrets (move it away first)"
for node in $nodes; do
  [[ "$node" =~ ^[a-z][a-z0-9-]{0,62}$ ]] || die "node name '$node' must be lower-case letters, digits and dashes"
done
command -v openssl >/dev/null || die "openssl is required"

if [[ "$DRY_RUN" == "true" ]]; then
  printf '(writes %s, mode 600: passwords, cipher pass, a CA and certificates for: %s)\n' "$out" "$nodes"
  exit 0
fi

secret() { openssl rand -base64 30 | tr '+/' '-_'; }
b64() { base64 -w0 <"$1"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
umask 077

if [[ -n "$ca_from" ]]; then
  read_secrets "$ca_from" TLS_CA_CERT_B64 TLS_CA_KEY_B64
  base64 -d <<<"$TLS_CA_CERT_B64" >"$work/ca.crt"
  base64 -d <<<"$TLS_CA_KEY_B64" >"$work/ca.key"
else
  openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj "/CN=coaching-data-tier-ca" \
    -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
fi

{
  printf '# Coaching App data tier secrets, made %s by data-tier/make-secrets.sh. Mode 600.\n' "$(date -u +%Y-%m-%d)"
  if [[ -z "$ca_from" ]]; then
    for key in PG_SUPERUSER_PASSWORD PG_REPLICATION_PASSWORD PG_REWIND_PASSWORD PATRONI_REST_PASSWORD \
      ETCD_ROOT_PASSWORD ETCD_PATRONI_PASSWORD PGBACKREST_CIPHER_PASS REDIS_PASSWORD; do
      printf '%s=%s\n' "$key" "$(secret)"
    done
    printf 'PGBACKREST_S3_ENDPOINT=<account-id>.r2.cloudflarestorage.com\n'
    printf 'PGBACKREST_S3_BUCKET=<bucket for pgBackRest, e.g. coaching-app-pgbackrest>\n'
    printf 'PGBACKREST_S3_KEY=<R2 access key id>\nPGBACKREST_S3_KEY_SECRET=<R2 secret access key>\n'
  fi
  printf 'TLS_CA_CERT_B64=%s\nTLS_CA_KEY_B64=%s\n' "$(b64 "$work/ca.crt")" "$(b64 "$work/ca.key")"
  for node in $nodes; do
    # pgBackRest checks the server's name against the certificate's DNS names (it ignores IP
    # entries, checked with 2.45), and the client's CN against tls-server-auth.
    openssl req -newkey rsa:3072 -nodes -subj "/CN=$node" -keyout "$work/$node.key" -out "$work/$node.csr" 2>/dev/null
    printf 'subjectAltName=DNS:%s%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$node" "${extra_dns:+,DNS:$extra_dns}" >"$work/$node.ext"
    openssl x509 -req -in "$work/$node.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial \
      -days 3650 -extfile "$work/$node.ext" -out "$work/$node.crt" 2>/dev/null
    var="$(tr 'a-z-' 'A-Z_' <<<"$node")"
    printf 'TLS_%s_CERT_B64=%s\nTLS_%s_KEY_B64=%s\n' "$var" "$(b64 "$work/$node.crt")" "$var" "$(b64 "$work/$node.key")"
  done
} >"$work/secrets"
install -m 600 "$work/secrets" "$out"
log "wrote $out (mode 600): fill in the four PGBACKREST_S3_* lines, then keep it in the password manager"
