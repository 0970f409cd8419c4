# shellcheck shell=bash
# Shared by backup-to-r2.sh, restore-from-r2.sh and verify-backup.sh, which source it from their own
# directory (install all four files together, e.g. into /opt/scripts). Not run on its own.
# The caller sets SCRIPT_NAME before sourcing; the constants are used by the callers.
# shellcheck disable=SC2034

# Published dumps, and the only names retention, --list and restore ever touch.
readonly NAME_PREFIX="coaching-app-"
readonly NAME_PATTERN='^coaching-app-[0-9]{8}-[0-9]{6}\.dump\.gz(\.age)?$'

# Exact count(*) of every user table, read in one statement: backup-to-r2.sh writes it into the
# manifest, verify-backup.sh compares a restore against it. The `stats:` marker lets the line be
# picked out of psql output even when it comes through `dokku postgres:connect` (aligned format).
readonly STATS_SQL="SELECT 'stats:' || json_build_object(
  'database', current_database(),
  'server_version', current_setting('server_version'),
  'row_counts', coalesce((
    SELECT json_object_agg(t.name, t.n ORDER BY t.name) FROM (
      SELECT format('%s.%s', table_schema, table_name) AS name,
        (xpath('/row/n/text()', query_to_xml(
          format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text::bigint AS n
      FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
    ) t), '{}'::json))::text;"

log() { printf '%s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SCRIPT_NAME" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
human() { numfmt --to=iec-i --suffix=B "$1"; }
# Last lines of a captured stderr file, on one line, for error messages.
err_tail() { [[ -s "$1" ]] && tail -n 4 "$1" | tr -s '\n\t' '  ' || printf '(no error output)'; }
redact() { sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$1"; }
rc() { rclone --quiet "$@"; }
# Names the failing line for failures that have no message of their own.
arm_err_trap() { trap 'log "ERROR: unexpected failure at line $LINENO: $BASH_COMMAND"' ERR; }

# libpq takes the password from a pgpass file (PGPASSFILE, mode 600, in the run's work directory),
# so the URLs given to psql, pg_dump and pg_restore carry none: a password on a command line is
# there for anyone on the machine to read with `ps`. Sets the variable named $1 to URL $2 without
# its password; $3 is the work directory. Runs in the caller's shell (no subshell), so the export
# reaches the tools it starts.
pgpass_url() {
  local var="$1" url="$2" dir="$3"
  if [[ "$url" =~ ^(postgres(ql)?://)([^:@/?]*):([^@]*)@(.*)$ ]]; then
    local scheme="${BASH_REMATCH[1]}" user="${BASH_REMATCH[3]}" password="${BASH_REMATCH[4]}" rest="${BASH_REMATCH[5]}"
    export PGPASSFILE="$dir/pgpass"
    [[ -e "$PGPASSFILE" ]] || install -m 600 /dev/null "$PGPASSFILE"
    printf '*:*:*:%s:%s\n' "$(pgpass_escape "$(url_decode "$user")")" "$(pgpass_escape "$(url_decode "$password")")" \
      >>"$PGPASSFILE"
    printf -v "$var" '%s%s@%s' "$scheme" "$user" "$rest"
  else
    printf -v "$var" '%s' "$url"
  fi
}
# Percent-decoding of a URL's user or password (a backslash in it stays a backslash).
url_decode() {
  local s="${1//\\/\\\\}"
  printf '%b' "${s//%/\\x}"
}
# pgpass fields escape ':' and '\' with a backslash (libpq's passwordFromFile).
pgpass_escape() {
  local s="${1//\\/\\\\}"
  printf '%s' "${s//:/\\:}"
}
# True when a Postgres URL carries a password.
url_has_password() { [[ "$1" =~ ^postgres(ql)?://[^:@/?]*:[^@]*@ ]]; }

# The plain pg_dump archive of a downloaded dump on stdout: decrypted with the age identity
# BACKUP_AGE_IDENTITY first when its name ends in .age. With pipefail, a failure of either stage
# is the function's status; $2 is where their errors go ($2.age, $2.gunzip).
unpack_dump() {
  if [[ "$1" == *.age ]]; then
    age -d -i "$BACKUP_AGE_IDENTITY" "$1" 2>"$2.age" | gzip -dc 2>"$2.gunzip"
  else
    gzip -dc "$1" 2>"$2.gunzip"
  fi
}

# An encrypted dump needs the identity: a readable file that only its owner may read.
check_age_identity() {
  [[ -n "${BACKUP_AGE_IDENTITY:-}" ]] ||
    die "$1 is encrypted: set BACKUP_AGE_IDENTITY to the age identity file (docs/runbooks/backup-restore.md, key custody)"
  [[ -r "$BACKUP_AGE_IDENTITY" ]] || die "cannot read BACKUP_AGE_IDENTITY=$BACKUP_AGE_IDENTITY"
  [[ "$(stat -c %a "$BACKUP_AGE_IDENTITY")" =~ ^[46]00$ ]] ||
    die "BACKUP_AGE_IDENTITY=$BACKUP_AGE_IDENTITY is readable by others: chmod 600 it"
  command -v age >/dev/null || die "age is not installed (apt-get install age)"
}
