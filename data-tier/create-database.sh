#!/usr/bin/env bash
# One environment's database in the cluster (production, staging), with its two roles: the
# tables' owner, which the release phase migrates as, and the API's role, which reads and writes
# rows and changes no schema. Idempotent; --rotate sets new passwords.
set -euo pipefail
SCRIPT_NAME="create-database"
DRY_RUN="false"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=data-tier/lib.bash
source "$HERE/lib.bash"

usage() {
  cat <<'USAGE'
usage: data-tier/create-database.sh --env production|staging --hosts HOST:PORT,... [--out FILE]
                                    [--rotate] [--dry-run]

Run as root on the primary, after data-tier/setup-data-node.sh. For the environment it creates
  database   coaching (production) or coaching_staging (staging), CONNECT revoked from PUBLIC:
             one environment's roles cannot open the other's database
  owner role coaching_owner / coaching_staging_owner: owns schema public, so the migrations
             (MIGRATION_DATABASE_URL, the release phase) create and alter the tables
  app role   coaching_app / coaching_staging_app: select, insert, update, delete on every table
             the owner creates, now or later (default privileges); no DDL (DATABASE_URL)
  extensions btree_gist, pg_trgm, btree_gin (as the superuser: the owner needs no more rights)
Passwords are generated here (40 characters) and only their SCRAM-SHA-256 verifiers are sent to
Postgres, so no password reaches the server, its logs or a command line. Both URLs, listing every
data node with target_session_attrs=primary, are written to FILE (mode 600), never printed:
  DATABASE_URL=postgres://coaching_app:…@10.0.0.5:5432,10.0.0.6:5432/coaching?target_session_attrs=primary
  MIGRATION_DATABASE_URL=postgres://coaching_owner:…@…
Run again: nothing changes (the passwords in FILE stay valid); grants are applied again.

  --env E        production or staging
  --hosts LIST   every data node's private address and Postgres port, comma separated
                 (10.0.0.5:5432 for one data node, 10.0.0.5:5432,10.0.0.6:5432 for two)
  --out FILE     where the URLs go (default /root/coaching-<env>-database.env)
  --rotate       new passwords for both roles; the old ones stop working at once, so set the new
                 URLs in Dokku right after (docs/runbooks/rotate-secrets.md)
  --dry-run      print the plan, change nothing
  -h, --help     this text
USAGE
}

ENVIRONMENT=""
HOSTS=""
OUT=""
ROTATE="false"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --env | --hosts | --out)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --env) ENVIRONMENT="$2" ;;
        --hosts) HOSTS="$2" ;;
        --out) OUT="$2" ;;
      esac
      shift 2
      ;;
    --rotate) ROTATE="true" && shift ;;
    --dry-run) DRY_RUN="true" && shift ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
case "$ENVIRONMENT" in
  production) prefix="coaching" ;;
  staging) prefix="coaching_staging" ;;
  *) die "--env must be production or staging (see --help)" ;;
esac
[[ -n "$HOSTS" ]] || die "--hosts is required: every data node's IP:port (see --help)"
IFS=',' read -r -a host_list <<<"$HOSTS"
for host in "${host_list[@]}"; do
  if ! [[ "$host" =~ ^[A-Za-z0-9.-]+:([0-9]+)$ ]] || ! is_port "${BASH_REMATCH[1]}"; then
    die "--hosts entry '$host' is not HOST:PORT (postgres.js cannot parse IPv6 literals in a URL)"
  fi
done
DATABASE="$prefix"
OWNER="${prefix}_owner"
APP="${prefix}_app"
OUT="${OUT:-/root/coaching-$ENVIRONMENT-database.env}"
load_node_env

log "$ENVIRONMENT: database $DATABASE, roles $OWNER and $APP, URLs to $OUT"
if [[ "$DRY_RUN" == "true" ]]; then
  echo "(checks this node is the primary)"
  echo "(creates or $([[ "$ROTATE" == "true" ]] && echo "sets new passwords for" || echo "keeps") the roles $OWNER and $APP: SCRAM verifiers only)"
  echo "create database $DATABASE owner $OWNER; revoke connect on database $DATABASE from public"
  echo "(in $DATABASE) create extension if not exists btree_gist / pg_trgm / btree_gin; alter schema public owner to $OWNER"
  echo "(in $DATABASE) alter default privileges for role $OWNER in schema public grant select, insert, update, delete on tables to $APP"
  echo "(writes $OUT, mode 600: DATABASE_URL and MIGRATION_DATABASE_URL for $HOSTS)"
  exit 0
fi
[[ "$(id -u)" -eq 0 ]] || die "run as root on the primary"
command -v python3 >/dev/null || die "python3 not found (Patroni's own dependency)"
patroni_is "$PATRONI_API" /primary || die "this node is not the primary: run it there (patronictl -c $PATRONI_CONF list)"

role_exists() { [[ "$(psql_ -c "select count(*) from pg_roles where rolname = '$1'")" == 1 ]]; }
new_password() { openssl rand -base64 48 | tr -dc 'A-Za-z0-9' | head -c 40; }
# RFC 5802/7677 as Postgres stores it (pg_authid.rolpassword); the password arrives on stdin.
scram_verifier() {
  # shellcheck disable=SC2016 # Python, not shell
  python3 -c '
import base64, hashlib, hmac, os, sys
password = sys.stdin.read().encode()
salt, iterations = os.urandom(16), 4096
salted = hashlib.pbkdf2_hmac("sha256", password, salt, iterations)
client_key = hmac.new(salted, b"Client Key", "sha256").digest()
server_key = hmac.new(salted, b"Server Key", "sha256").digest()
b64 = lambda b: base64.b64encode(b).decode()
print(f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(hashlib.sha256(client_key).digest())}:{b64(server_key)}")'
}

set_passwords="$ROTATE"
if ! role_exists "$OWNER" || ! role_exists "$APP"; then
  set_passwords="true"
elif [[ "$ROTATE" == "false" && ! -s "$OUT" ]]; then
  die "the roles exist but $OUT does not: their passwords are unknown here; --rotate sets new ones"
fi
roles_sql=""
if [[ "$set_passwords" == "true" ]]; then
  owner_password="$(new_password)"
  app_password="$(new_password)"
  ((${#owner_password} == 40 && ${#app_password} == 40)) || die "could not generate passwords (openssl rand)"
  # printf, not <<<: a here-string's newline would become part of the password.
  owner_verifier="$(printf '%s' "$owner_password" | scram_verifier)"
  app_verifier="$(printf '%s' "$app_password" | scram_verifier)"
  roles_sql="do \$\$ begin
  if exists (select from pg_roles where rolname = '$OWNER') then alter role $OWNER login password '$owner_verifier';
  else create role $OWNER login password '$owner_verifier'; end if;
  if exists (select from pg_roles where rolname = '$APP') then alter role $APP login password '$app_verifier';
  else create role $APP login noinherit password '$app_verifier'; end if;
end \$\$;"
fi

psql_ <<SQL || die "creating the roles or the database failed (the Postgres log says why)"
$roles_sql
select format('create database %I owner %I', '$DATABASE', '$OWNER')
  where not exists (select from pg_database where datname = '$DATABASE') \gexec
revoke connect, temporary on database $DATABASE from public;
grant connect on database $DATABASE to $OWNER, $APP;
SQL
PSQL_DATABASE="$DATABASE" psql_ <<SQL || die "the extensions or grants in $DATABASE failed"
create extension if not exists btree_gist;
create extension if not exists pg_trgm;
create extension if not exists btree_gin;
alter schema public owner to $OWNER;
revoke create on schema public from public;
grant usage on schema public to $APP;
grant select, insert, update, delete on all tables in schema public to $APP;
grant usage, select, update on all sequences in schema public to $APP;
alter default privileges for role $OWNER in schema public grant select, insert, update, delete on tables to $APP;
alter default privileges for role $OWNER in schema public grant usage, select, update on sequences to $APP;
SQL

if [[ "$set_passwords" == "true" ]]; then
  query="target_session_attrs=primary"
  url() { printf 'postgres://%s:%s@%s/%s?%s' "$1" "$2" "$HOSTS" "$DATABASE" "$query"; }
  [[ -d "$(dirname "$OUT")" ]] || install -d -m 700 "$(dirname "$OUT")" # an existing one keeps its mode
  tmp="$(mktemp "$OUT.XXXXXX")"
  chmod 600 "$tmp"
  {
    printf '# %s database, written by data-tier/create-database.sh on %s. Keep in the password manager.\n' \
      "$ENVIRONMENT" "$(date -u +%Y-%m-%dT%H:%MZ)"
    printf 'DATABASE_URL=%s\n' "$(url "$APP" "$app_password")"
    printf 'MIGRATION_DATABASE_URL=%s\n' "$(url "$OWNER" "$owner_password")"
  } >"$tmp"
  mv -f "$tmp" "$OUT"
  log "new passwords for $OWNER and $APP; the URLs are in $OUT (mode 600): set them in Dokku (docs/deploy.md)"
else
  log "roles kept with their passwords ($OUT still holds the URLs); grants applied again"
fi
