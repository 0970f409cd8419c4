#!/usr/bin/env bash
# Proves the newest backup is restorable: restores it into a scratch database, compares every
# table's row count with the manifest, and always drops the scratch database again.
set -euo pipefail
set -o errtrace

usage() {
  cat <<'EOF'
Usage: verify-backup.sh [--admin-url URL] [--latest | --name FILE]

  --admin-url URL  Postgres URL of a role allowed to CREATE and DROP databases; the scratch
                   database is created on that server and dropped at the end, pass or fail.
                   Without a password (a command line is visible to everyone in `ps`): put the
                   URL with its password in VERIFY_ADMIN_URL instead, or the password in ~/.pgpass
  --latest         verify the newest backup (default)
  --name FILE      verify this backup (coaching-app-YYYYMMDD-HHMMSS.dump.gz)
  --help           show this help

Environment (defaults in brackets):
  VERIFY_ADMIN_URL the admin URL, password included (instead of --admin-url)
  BACKUP_AGE_IDENTITY  the age identity (mode 600) for encrypted backups (passed to the restore)
  BACKUP_REMOTE    rclone path of the dumps [r2-backup:coaching-app-backups/db]
  BACKUP_PING_URL  optional; GET on success, GET $BACKUP_PING_URL/fail on failure
  SCRATCH_DB       name of the scratch database [coaching_app_verify_<UTC time>_<pid>]
  RESTORE_SCRIPT   restore script to use [restore-from-r2.sh next to this script]
rclone remotes come from rclone.conf or RCLONE_CONFIG_<NAME>_* variables.

Exit status: 0 only when the restore succeeded and every table's row count matches the manifest.
EOF
}

BACKUP_REMOTE="${BACKUP_REMOTE:-r2-backup:coaching-app-backups/db}"
BACKUP_REMOTE="${BACKUP_REMOTE%/}"
export BACKUP_REMOTE
BACKUP_PING_URL="${BACKUP_PING_URL:-}"
SCRATCH_DB="${SCRATCH_DB:-coaching_app_verify_$(date -u +%Y%m%d_%H%M%S)_$$}"
RESTORE_SCRIPT="${RESTORE_SCRIPT:-$(dirname "$(readlink -f "$0")")/restore-from-r2.sh}"

ADMIN_URL="${VERIFY_ADMIN_URL:-}"
NAME=""
SCRATCH_URL=""
SCRATCH_CREATED=0
PING_ON_EXIT=0
WORK=""

SCRIPT_NAME=verify-backup
# shellcheck source-path=SCRIPTDIR source=backup-lib.bash
source "$(dirname "$(readlink -f "$0")")/backup-lib.bash"

admin_sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$ADMIN_URL" -c "$1"; }

ping_url() {
  [[ -n "$BACKUP_PING_URL" ]] || return 0
  curl -fsS -m 10 --retry 3 -o /dev/null "$1" 2>/dev/null || log "WARN: could not reach ping URL $(redact "$1")"
}

on_exit() {
  local status=$?
  set +e
  trap - ERR
  if [[ "$SCRATCH_CREATED" -eq 1 ]]; then
    if admin_sql "DROP DATABASE IF EXISTS \"$SCRATCH_DB\" WITH (FORCE);" 2>"$WORK/drop.err"; then
      log "step=drop-scratch db=$SCRATCH_DB status=ok"
    else
      log "ERROR: could not drop scratch database $SCRATCH_DB: $(err_tail "$WORK/drop.err")"
      [[ "$status" -eq 0 ]] && status=1
    fi
  fi
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  if [[ "$PING_ON_EXIT" -eq 1 ]]; then
    if [[ "$status" -eq 0 ]]; then
      ping_url "$BACKUP_PING_URL"
    else
      log "FAILED (exit $status)"
      ping_url "${BACKUP_PING_URL%/}/fail"
    fi
  fi
  exit "$status"
}

parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --admin-url)
        [[ $# -ge 2 ]] || die "--admin-url needs a URL"
        url_has_password "$2" &&
          die "--admin-url carries a password, which ps shows to every user: give the URL in VERIFY_ADMIN_URL (or the password in ~/.pgpass)"
        ADMIN_URL="$2"
        shift
        ;;
      --latest) NAME="" ;;
      --name)
        [[ $# -ge 2 ]] || die "--name needs a file name"
        NAME="${2##*/}"
        shift
        ;;
      -h | --help)
        usage
        exit 0
        ;;
      *)
        usage >&2
        die "unknown argument: $1"
        ;;
    esac
    shift
  done
  [[ -n "$ADMIN_URL" ]] || die "VERIFY_ADMIN_URL or --admin-url URL is required (see --help)"
  [[ "$SCRATCH_DB" =~ ^[a-z_][a-z0-9_]*$ ]] || die "SCRATCH_DB must be a plain lower-case identifier"
  # Same server and parameters as the admin URL, only the database name swapped.
  if [[ "$ADMIN_URL" =~ ^(postgres(ql)?://[^/?]*)(/[^?]*)?(\?.*)?$ ]]; then
    SCRATCH_URL="${BASH_REMATCH[1]}/${SCRATCH_DB}${BASH_REMATCH[4]}"
  else
    die "--admin-url must look like postgres://user:password@host:port/database"
  fi
}

check_tools() {
  local tools=(rclone jq psql pg_restore gzip sha256sum) tool
  [[ -n "$BACKUP_PING_URL" ]] && tools+=(curl)
  for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || die "required command '$tool' not found in PATH"
  done
  [[ -x "$RESTORE_SCRIPT" ]] || die "restore script $RESTORE_SCRIPT not found or not executable"
}

resolve_name() {
  [[ -n "$NAME" ]] && return 0
  "$RESTORE_SCRIPT" --list >"$WORK/list.txt" 2>"$WORK/list.err" ||
    die "cannot list backups in $BACKUP_REMOTE: $(err_tail "$WORK/list.err")"
  NAME=$(tail -n 1 "$WORK/list.txt" | cut -f 1)
  [[ -n "$NAME" ]] || die "no backups found in $BACKUP_REMOTE"
  log "step=resolve latest=$NAME"
}

compare_counts() {
  local started mismatches
  started=$(now)
  rclone --quiet cat "$BACKUP_REMOTE/$NAME.manifest.json" >"$WORK/manifest.json" 2>"$WORK/manifest.err" ||
    die "cannot read manifest of $NAME: $(err_tail "$WORK/manifest.err")"
  psql -X -q -At -v ON_ERROR_STOP=1 -d "$SCRATCH_URL" -c "$STATS_SQL" >"$WORK/stats.out" 2>"$WORK/stats.err" ||
    die "counting rows in the scratch database failed: $(err_tail "$WORK/stats.err")"
  sed -n 's/^stats://p' "$WORK/stats.out" >"$WORK/restored.json"
  mismatches=$(jq -rn --slurpfile m "$WORK/manifest.json" --slurpfile r "$WORK/restored.json" '
    ($m[0].row_counts // {}) as $e | ($r[0].row_counts // {}) as $a
    | ($e + $a | keys[]) as $k
    | select($e[$k] != $a[$k])
    | "\($k): manifest \($e[$k] // "absent") restored \($a[$k] // "absent")"') ||
    die "cannot compare row counts (manifest unreadable?)"
  local tables rows
  tables=$(jq '.row_counts | length' "$WORK/restored.json")
  rows=$(jq '[.row_counts[]] | add // 0' "$WORK/restored.json")
  if [[ -n "$mismatches" ]]; then
    die "row counts of $NAME differ from its manifest: $(tr '\n' ';' <<<"$mismatches")"
  fi
  log "step=compare name=$NAME tables=$tables rows=$rows status=ok duration_s=$(since "$started")"
}

main() {
  parse_args "$@"
  PING_ON_EXIT=1
  trap on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  arm_err_trap
  check_tools
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/coaching-app-verify.XXXXXX")
  # From here on the URLs carry no password: psql, pg_restore and the restore script read it from
  # the run's pgpass file (backup-lib.bash).
  pgpass_url ADMIN_URL "$ADMIN_URL" "$WORK"
  pgpass_url SCRATCH_URL "$SCRATCH_URL" "$WORK"
  local started
  started=$(now)
  resolve_name
  admin_sql "CREATE DATABASE \"$SCRATCH_DB\";" 2>"$WORK/create.err" >/dev/null ||
    die "cannot create scratch database $SCRATCH_DB via $(redact "$ADMIN_URL"): $(err_tail "$WORK/create.err")"
  SCRATCH_CREATED=1
  log "step=create-scratch db=$SCRATCH_DB status=ok"
  "$RESTORE_SCRIPT" --name "$NAME" --target-url "$SCRATCH_URL" 2>"$WORK/restore.err" || {
    cat "$WORK/restore.err" >&2
    die "restoring $NAME into the scratch database failed"
  }
  cat "$WORK/restore.err" >&2
  compare_counts
  log "done name=$NAME status=ok duration_s=$(since "$started")"
}

main "$@"
