# shellcheck shell=bash
# Shared by the data tier's scripts, which source it from their own directory. Not run on its own.
# The caller sets SCRIPT_NAME (and DRY_RUN, "true" or "false") before sourcing.

# The one Postgres major of the whole kit: the data nodes' server, pg_dump/pg_restore of the nightly
# dump and its verify, the test suite. pg_restore refuses an archive from a newer pg_dump, and a
# client older than the server cannot dump it; setup-data-node.sh refuses any other major.
# shellcheck disable=SC2034 # used by the callers
readonly PG_MAJOR=15

log() { printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SCRIPT_NAME" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Prints a command, quoted so it can be pasted, and runs it unless this is a dry run.
run() {
  if [[ "${DRY_RUN:-false}" == "true" ]]; then
    printf '%s\n' "$(printf '%q ' "$@" | sed 's/ $//')"
    return 0
  fi
  log "\$ $(printf '%q ' "$@" | sed 's/ $//')"
  "$@" >&2 || die "'$*' failed (exit $?)"
}

# Reads a secrets file of KEY=VALUE lines (make-secrets.sh's format) into variables, without
# executing it: `source` would run whatever the file contains. Only the keys named after the file
# are read; each must be present and non-empty. "-" reads standard input.
read_secrets() {
  local file="$1" line key value
  shift
  local -A wanted=()
  for key in "$@"; do wanted[$key]=1; done
  if [[ "$file" != "-" ]]; then
    [[ -f "$file" ]] || die "secrets file $file does not exist (make it with data-tier/make-secrets.sh)"
    local mode
    mode="$(stat -c '%a' "$file")"
    [[ "$mode" =~ ^[0-7]00$ ]] || die "secrets file $file is mode $mode: make it readable by its owner only (chmod 600)"
  fi
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    [[ "$line" =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]] || die "secrets: a line is not KEY=VALUE (line starting '${line:0:12}')"
    key="${BASH_REMATCH[1]}"
    value="${BASH_REMATCH[2]}"
    [[ -n "${wanted[$key]:-}" ]] || continue
    printf -v "$key" '%s' "$value"
  done < <(if [[ "$file" == "-" ]]; then cat; else cat -- "$file"; fi)
  for key in "$@"; do
    [[ -n "${!key:-}" ]] || die "secrets: $key is missing or empty"
    [[ "${!key}" != *"<"* ]] || die "secrets: $key is still a <placeholder>; fill in the real value"
  done
}

# A generated secret is long and random; refuse anything that looks typed by hand.
require_strong() {
  local key
  for key in "$@"; do
    local value="${!key}"
    ((${#value} >= 24)) || die "secrets: $key is shorter than 24 characters (make-secrets.sh generates 40)"
    [[ "$value" =~ ^[A-Za-z0-9+/=_.-]+$ ]] || die "secrets: $key has characters outside [A-Za-z0-9+/=_.-] (they break YAML and URLs)"
  done
}

# Renders template $1 into file $2 with mode $3 and owner $4 (user or user:group, skipped when not
# root): every @NAME@ becomes the value of the shell variable NAME, which must be set. The file is
# written under a temporary name and moved into place, so a failed render leaves the old one.
render() {
  local template="$1" out="$2" mode="$3" owner="$4" text rendered="" name
  text="$(<"$template")"
  while [[ "$text" =~ @([A-Z][A-Z0-9_]*)@ ]]; do
    name="${BASH_REMATCH[1]}"
    [[ -v "$name" ]] || die "template $(basename "$template"): @$name@ has no value"
    rendered+="${text%%"@$name@"*}${!name}"
    text="${text#*"@$name@"}"
  done
  rendered+="$text"
  if [[ "${DRY_RUN:-false}" == "true" ]]; then
    printf '(writes %s from %s, mode %s, owner %s)\n' "$out" "$(basename "$template")" "$mode" "$owner"
    return 0
  fi
  mkdir -p "$(dirname "$out")"
  local tmp
  tmp="$(mktemp "$out.XXXXXX")"
  printf '%s\n' "$rendered" >"$tmp"
  chmod "$mode" "$tmp"
  [[ "$(id -u)" -ne 0 ]] || chown "$owner" "$tmp"
  mv -f "$tmp" "$out"
  log "wrote $out (mode $mode)"
}

# Writes base64 value $1 decoded into file $2 (mode $3, owner $4); for keys and certificates.
write_b64() {
  local value="$1" out="$2" mode="$3" owner="$4"
  if [[ "${DRY_RUN:-false}" == "true" ]]; then
    printf '(writes %s, mode %s, owner %s)\n' "$out" "$mode" "$owner"
    return 0
  fi
  mkdir -p "$(dirname "$out")"
  local tmp
  tmp="$(mktemp "$out.XXXXXX")"
  base64 -d <<<"$value" >"$tmp" || die "could not decode the value for $out (not base64)"
  chmod "$mode" "$tmp"
  [[ "$(id -u)" -ne 0 ]] || chown "$owner" "$tmp"
  mv -f "$tmp" "$out"
}

# True for an address on a private network: RFC 1918, or Tailscale's 100.64.0.0/10.
is_private_ipv4() {
  local ip="$1"
  [[ "$ip" =~ ^([0-9]{1,3})\.([0-9]{1,3})\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || return 1
  local a="${BASH_REMATCH[1]}" b="${BASH_REMATCH[2]}"
  ((a == 10)) && return 0
  ((a == 192 && b == 168)) && return 0
  ((a == 172 && b >= 16 && b <= 31)) && return 0
  ((a == 100 && b >= 64 && b <= 127)) && return 0
  return 1
}

# Patroni's REST API at $1 (host:port) answers GET $2 (/primary, /replica, /health) with 200.
patroni_is() {
  curl -fsS -o /dev/null --max-time 3 "http://$1$2" 2>/dev/null
}

# The node's settings for the operational scripts (switchover, backups, restores), written by
# setup-data-node.sh to /etc/default/coaching-data-tier. A variable already set in the environment
# wins, which is how the tests point the scripts at the single-machine topology.
load_node_env() {
  local file="${DATA_TIER_ENV_FILE:-/etc/default/coaching-data-tier}" line key value
  if [[ -r "$file" ]]; then
    while IFS= read -r line; do
      [[ "$line" =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]] || continue
      key="${BASH_REMATCH[1]}"
      value="${BASH_REMATCH[2]}"
      [[ -n "${!key:-}" ]] || printf -v "$key" '%s' "$value"
    done <"$file"
  fi
  PATRONI_CONF="${PATRONI_CONF:-/etc/patroni/config.yml}"
  PGBR_CONF="${PGBR_CONF:-/etc/pgbackrest/pgbackrest.conf}"
  PATRONI_API="${PATRONI_API:-127.0.0.1:8008}"
  PEER_API="${PEER_API:-}"
  PGHOST="${PGHOST:-/var/run/postgresql}"
  PGPORT="${PGPORT:-5432}"
  STANZA="${STANZA:-coaching}"
  PG_BIN_DIR="${PG_BIN_DIR:-/usr/lib/postgresql/$PG_MAJOR/bin}"
  export PGHOST PGPORT
}

# Runs a command as the postgres OS user (Patroni's and pgBackRest's files belong to it), or as
# is when this already is that user.
as_postgres() {
  if [[ "$(id -un)" == "postgres" ]]; then "$@"; else runuser -u postgres -- "$@"; fi
}
pgbackrest_() { as_postgres pgbackrest --config="$PGBR_CONF" --stanza="$STANZA" "$@"; }
psql_() { as_postgres "$PG_BIN_DIR/psql" -X -q -At -v ON_ERROR_STOP=1 -d "${PSQL_DATABASE:-postgres}" "$@"; }
# patronictl as root reads the node's config (mode 600) for the DCS and REST credentials.
patronictl_() { patronictl -c "$PATRONI_CONF" "$@"; }

# The cluster as patronictl sees it: one "name role state lag" line per member, role with "_" for
# spaces: Leader, Sync_Standby, Replica. A standby's state is "running" in Patroni 3.0 and
# "streaming" from 3.1; lag is in MB ("unknown" while Patroni cannot tell).
cluster_members() {
  patronictl_ list -f json |
    jq -r '.[] | [.Member, (.Role | gsub(" "; "_")), .State, ((."Lag in MB" // 0) | tostring)] | join(" ")'
}

# True when $1 is a port number of at least $2 (default 1).
is_port() { [[ "$1" =~ ^[0-9]+$ ]] && (($1 >= ${2:-1} && $1 <= 65535)); }

# True when the etcd at $1 (http://host:port) is the member Debian's etcd-server starts on install
# from its unit's defaults, and holds no key: one member, advertising a peer URL on "localhost"
# (etcd's built-in default; setup-etcd.sh always advertises an IP). Such a member's data directory
# must go before the real configuration starts: etcd rejoins the cluster recorded in an initialised
# data directory and ignores ETCD_INITIAL_CLUSTER, so each node would stay a cluster of its own.
etcd_is_package_default() {
  local members keys
  members="$(ETCDCTL_API=3 etcdctl --endpoints="$1" --dial-timeout=2s --command-timeout=3s member list 2>/dev/null)" ||
    return 1
  [[ "$(wc -l <<<"$members")" -eq 1 && "$members" =~ ,\ http://localhost:[0-9]+,\  ]] || return 1
  keys="$(ETCDCTL_API=3 etcdctl --endpoints="$1" --dial-timeout=2s --command-timeout=3s get "" --prefix --keys-only --limit=1 2>/dev/null)" ||
    return 1
  [[ -z "$keys" ]]
}
