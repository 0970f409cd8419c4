#!/usr/bin/env bash
# Nightly backup of the Coaching App: a streamed, verified Postgres dump with a manifest, retention,
# and an incremental copy of the asset bucket that never loses an object deleted at the source.
set -euo pipefail
set -o errtrace

usage() {
  cat <<'EOF'
Usage: backup-to-r2.sh [--dry-run] [--prune-only] [--help]

Streams a Postgres dump (pg_dump custom format) through gzip straight into an rclone remote under a
temporary name, checks the uploaded size and sha256, then publishes it as
  $BACKUP_REMOTE/coaching-app-YYYYMMDD-HHMMSS.dump.gz
with coaching-app-YYYYMMDD-HHMMSS.dump.gz.manifest.json beside it (time, database, server version,
exact per-table row counts, size, sha256). Then applies retention and copies the asset bucket.

Options:
  --dry-run      print the commands it would run; touch nothing
  --prune-only   apply retention to existing dumps only (no dump, no assets)
  --help         show this help

Environment (defaults in brackets):
  BACKUP_SOURCE     dokku | pg_dump               [dokku if the dokku command exists, else pg_dump]
  DOKKU_DB_SERVICE  Dokku postgres service        [coaching-app-db]
  DATABASE_URL      database to dump (pg_dump); with dokku, optional URL used for the row counts
  BACKUP_REMOTE     rclone path for dumps         [r2-backup:coaching-app-backups/db]
  ASSETS_SOURCE     rclone path of the app bucket [r2-primary:coaching-app]
  ASSETS_BACKUP     rclone path of the copy       [r2-backup:coaching-app-assets-backup]; empty = skip
  ASSETS_VERSIONS   where replaced/deleted assets go, one dated folder per run [$ASSETS_BACKUP/.versions]
  RETENTION_DAYS    delete dumps older than this, judged by the name's timestamp [30]
  KEEP_MIN          never keep fewer than this many newest dumps [7]
  BACKUP_PING_URL   optional; GET on success, GET $BACKUP_PING_URL/fail on failure
  BACKUP_AGE_RECIPIENTS  optional; a file of age public keys (age1...): the dump is encrypted to them
                    on this machine before upload (name .dump.gz.age), so a leaked bucket token
                    leaks no data; restore and verify need one of the identities (BACKUP_AGE_IDENTITY)
  LOCK_FILE         flock file for single-instance runs [/var/lock/coaching-app-backup.lock]
  GZIP_LEVEL        gzip level for the stream [1]
rclone remotes come from rclone.conf or RCLONE_CONFIG_<NAME>_* variables; rclone flags from RCLONE_*.

Exit status: 0 only when every step succeeded.
EOF
}

if command -v dokku >/dev/null 2>&1; then default_source=dokku; else default_source=pg_dump; fi
BACKUP_SOURCE="${BACKUP_SOURCE:-$default_source}"
DOKKU_DB_SERVICE="${DOKKU_DB_SERVICE:-coaching-app-db}"
DATABASE_URL="${DATABASE_URL:-}"
BACKUP_REMOTE="${BACKUP_REMOTE:-r2-backup:coaching-app-backups/db}"
BACKUP_REMOTE="${BACKUP_REMOTE%/}"
ASSETS_SOURCE="${ASSETS_SOURCE:-r2-primary:coaching-app}"
ASSETS_BACKUP="${ASSETS_BACKUP-r2-backup:coaching-app-assets-backup}"
ASSETS_BACKUP="${ASSETS_BACKUP%/}"
ASSETS_VERSIONS="${ASSETS_VERSIONS:-${ASSETS_BACKUP}/.versions}"
RETENTION_DAYS="${RETENTION_DAYS:-30}"
KEEP_MIN="${KEEP_MIN:-7}"
BACKUP_PING_URL="${BACKUP_PING_URL:-}"
BACKUP_AGE_RECIPIENTS="${BACKUP_AGE_RECIPIENTS:-}"
LOCK_FILE="${LOCK_FILE:-/var/lock/coaching-app-backup.lock}"
GZIP_LEVEL="${GZIP_LEVEL:-1}"

DRY_RUN=0
PRUNE_ONLY=0
PING_ON_EXIT=0
WORK=""
TMP_OBJECT=""
PUBLISHED=0
SNAPSHOT_ID=""
SNAPSHOT_PID=""

SCRIPT_NAME=backup-to-r2
# shellcheck source-path=SCRIPTDIR source=backup-lib.bash
source "$(dirname "$(readlink -f "$0")")/backup-lib.bash"

on_exit() {
  local status=$?
  set +e
  trap - ERR
  close_snapshot
  if [[ -n "$TMP_OBJECT" && "$PUBLISHED" -eq 0 ]]; then
    # Best effort: a partial upload must not linger; retention also sweeps tmp/ later.
    rc deletefile "$TMP_OBJECT" 2>/dev/null && log "removed temporary object $TMP_OBJECT"
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

ping_url() {
  [[ -n "$BACKUP_PING_URL" ]] || return 0
  # A failed ping does not fail the backup: the dead-man's switch alerts on the missing ping anyway.
  curl -fsS -m 10 --retry 3 -o /dev/null "$1" 2>/dev/null || log "WARN: could not reach ping URL $(redact "$1")"
}

parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --dry-run) DRY_RUN=1 ;;
      --prune-only) PRUNE_ONLY=1 ;;
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
}

# The settings, checked in --dry-run too: a plan with empty values is no plan.
check_inputs() {
  [[ "$RETENTION_DAYS" =~ ^[0-9]+$ ]] || die "RETENTION_DAYS must be a whole number of days, got '$RETENTION_DAYS'"
  [[ "$KEEP_MIN" =~ ^[0-9]+$ ]] || die "KEEP_MIN must be a whole number, got '$KEEP_MIN'"
  [[ "$GZIP_LEVEL" =~ ^[1-9]$ ]] || die "GZIP_LEVEL must be 1-9, got '$GZIP_LEVEL'"
  case "$BACKUP_SOURCE" in
    pg_dump) [[ -n "$DATABASE_URL" ]] || die "BACKUP_SOURCE=pg_dump needs DATABASE_URL" ;;
    dokku) ;;
    *) die "BACKUP_SOURCE must be 'dokku' or 'pg_dump', got '$BACKUP_SOURCE'" ;;
  esac
  [[ "$BACKUP_REMOTE" == *:* ]] || die "BACKUP_REMOTE must be an rclone path (remote:bucket/prefix), got '$BACKUP_REMOTE'"
  [[ "$PRUNE_ONLY" -eq 1 || "$ASSETS_SOURCE" == *:* ]] ||
    die "ASSETS_SOURCE must be an rclone path (remote:bucket), got '$ASSETS_SOURCE'"
  if [[ -n "$BACKUP_AGE_RECIPIENTS" ]]; then
    [[ -r "$BACKUP_AGE_RECIPIENTS" ]] || die "cannot read BACKUP_AGE_RECIPIENTS=$BACKUP_AGE_RECIPIENTS"
    grep -qE '^age1[0-9a-z]+$' "$BACKUP_AGE_RECIPIENTS" ||
      die "BACKUP_AGE_RECIPIENTS=$BACKUP_AGE_RECIPIENTS holds no age public key (age1..., one per line; age-keygen -y prints it)"
  fi
}

check_config() {
  check_inputs
  local tools=(rclone gzip sha256sum jq flock numfmt)
  [[ -n "$BACKUP_AGE_RECIPIENTS" ]] && tools+=(age)
  case "$BACKUP_SOURCE" in
    pg_dump) tools+=(pg_dump psql) ;;
    dokku)
      tools+=(dokku)
      [[ -n "$DATABASE_URL" ]] && tools+=(psql)
      ;;
  esac
  [[ -n "$BACKUP_PING_URL" ]] && tools+=(curl)
  local tool
  for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || die "required command '$tool' not found in PATH"
  done
}

acquire_lock() {
  exec 9>>"$LOCK_FILE" || die "cannot open lock file $LOCK_FILE"
  flock -n 9 || die "another backup is still running (lock $LOCK_FILE is held)"
}

check_remote() {
  local started
  started=$(now)
  rc lsf --max-depth 1 "$BACKUP_REMOTE/" >/dev/null 2>"$WORK/remote.err" ||
    die "backup remote $BACKUP_REMOTE is not reachable or access is denied: $(err_tail "$WORK/remote.err")"
  log "step=check-remote remote=$BACKUP_REMOTE status=ok duration_s=$(since "$started")"
}

# pg_dump mode: one REPEATABLE READ transaction exports its snapshot to pg_dump and counts the rows,
# so the manifest's counts describe exactly the data inside the dump even while the app writes.
open_snapshot() {
  coproc SNAPSHOT_PSQL { exec psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB_URL" 2>"$WORK/snapshot.err"; }
  SNAPSHOT_PID=$SNAPSHOT_PSQL_PID
  printf '%s\n' "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;" "SELECT pg_export_snapshot();" \
    >&"${SNAPSHOT_PSQL[1]}"
  read -r -t 60 SNAPSHOT_ID <&"${SNAPSHOT_PSQL[0]}" ||
    die "cannot connect to DATABASE_URL $(redact "$DATABASE_URL"): $(err_tail "$WORK/snapshot.err")"
  printf '%s\n' "$STATS_SQL" >&"${SNAPSHOT_PSQL[1]}"
  local line
  read -r -t 3600 line <&"${SNAPSHOT_PSQL[0]}" || die "counting rows failed: $(err_tail "$WORK/snapshot.err")"
  printf '%s\n' "${line#stats:}" >"$WORK/stats.json"
}

close_snapshot() {
  [[ -n "$SNAPSHOT_PID" ]] || return 0
  [[ -n "${SNAPSHOT_PSQL[1]:-}" ]] && printf 'COMMIT;\n\\q\n' 1>&"${SNAPSHOT_PSQL[1]}" 2>/dev/null
  wait "$SNAPSHOT_PID" 2>/dev/null
  SNAPSHOT_PID=""
}

# dokku mode: `postgres:export` cannot share a snapshot, so counts come from a transaction started
# right after the export (via DATABASE_URL when set, else piped through `dokku postgres:connect`).
count_rows_after_dump() {
  local out="$WORK/stats.out"
  if [[ -n "$DATABASE_URL" ]]; then
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB_URL" -c "$STATS_SQL" >"$out" 2>"$WORK/stats.err" ||
      die "counting rows via DATABASE_URL failed: $(err_tail "$WORK/stats.err")"
  else
    dokku postgres:connect "$DOKKU_DB_SERVICE" <<<"$STATS_SQL" >"$out" 2>"$WORK/stats.err" ||
      die "counting rows via dokku postgres:connect $DOKKU_DB_SERVICE failed: $(err_tail "$WORK/stats.err")"
  fi
  sed -n 's/^ *stats://p' "$out" | head -n 1 >"$WORK/stats.json"
  [[ -s "$WORK/stats.json" ]] || die "row counts missing from psql output: $(head -c 300 "$out")"
}

dump_command() {
  if [[ "$BACKUP_SOURCE" == pg_dump ]]; then
    # -Z0: gzip does the one compression pass in its own process, in parallel with pg_dump; measured
    # on 290 MB: 4.8 s (pg_dump -Z0 | gzip -1) against 12.9 s (pg_dump -Fc | gzip), output 6% larger.
    pg_dump -Fc -Z0 ${SNAPSHOT_ID:+"--snapshot=$SNAPSHOT_ID"} -d "$DB_URL"
  else
    dokku postgres:export "$DOKKU_DB_SERVICE"
  fi
}

# The compressed dump, encrypted to BACKUP_AGE_RECIPIENTS when set (a plain copy otherwise, so the
# pipeline has the same stages either way).
encrypt_stream() {
  if [[ -n "$BACKUP_AGE_RECIPIENTS" ]]; then age -R "$BACKUP_AGE_RECIPIENTS"; else cat; fi
}

# dump | gzip | [age] | rclone rcat, hashing and counting the uploaded bytes on the way (no temp file).
stream_dump() {
  local started
  started=$(now)
  mkfifo "$WORK/hash.fifo" "$WORK/size.fifo"
  sha256sum <"$WORK/hash.fifo" >"$WORK/sha256.out" &
  local hash_pid=$!
  wc -c <"$WORK/size.fifo" >"$WORK/size.out" &
  local size_pid=$!
  TMP_OBJECT="$BACKUP_REMOTE/tmp/$NAME.partial"
  local -a status
  trap - ERR
  set +e
  dump_command 2>"$WORK/dump.err" | gzip -c "-$GZIP_LEVEL" 2>"$WORK/gzip.err" | encrypt_stream 2>"$WORK/age.err" |
    tee "$WORK/hash.fifo" "$WORK/size.fifo" 2>"$WORK/tee.err" | rc rcat "$TMP_OBJECT" 2>"$WORK/rcat.err"
  status=("${PIPESTATUS[@]}")
  wait "$hash_pid" "$size_pid"
  set -e
  arm_err_trap
  local source_name="pg_dump"
  [[ "$BACKUP_SOURCE" == dokku ]] && source_name="dokku postgres:export $DOKKU_DB_SERVICE"
  local -a stages=("$source_name" gzip "age -R" tee "rclone rcat $TMP_OBJECT") errs=(dump gzip age tee rcat) failures=()
  local i
  for i in 0 1 2 3 4; do
    # 141 = SIGPIPE: a stage that died only because a later one had already failed.
    if [[ "${status[i]}" -ne 0 && "${status[i]}" -ne 141 ]]; then
      failures+=("${stages[i]} exited ${status[i]}: $(err_tail "$WORK/${errs[i]}.err")")
    fi
  done
  if [[ ${#failures[@]} -eq 0 && "${status[*]}" != "0 0 0 0 0" ]]; then
    failures+=("pipeline exit codes ${status[*]}")
  fi
  [[ ${#failures[@]} -eq 0 ]] || die "dump stream failed, backup not published: $(printf '%s; ' "${failures[@]}")"
  LOCAL_SHA=$(cut -d ' ' -f 1 "$WORK/sha256.out")
  LOCAL_SIZE=$(tr -d ' ' <"$WORK/size.out")
  STREAM_SECONDS=$(since "$started")
  log "step=dump-upload source=$BACKUP_SOURCE object=$TMP_OBJECT status=ok duration_s=$STREAM_SECONDS" \
    "bytes=$LOCAL_SIZE size=$(human "$LOCAL_SIZE") mb_per_s=$(awk -v b="$LOCAL_SIZE" -v s="$STREAM_SECONDS" \
      'BEGIN { printf "%.1f", (s > 0 ? b / 1e6 / s : 0) }')"
}

# Reads the object back: size from the listing, then sha256 and gzip integrity of the full download
# (of an encrypted one, its age header: this machine holds only the public keys, not an identity).
verify_upload() {
  local started remote_size remote_sha
  started=$(now)
  remote_size=$(rc lsjson "$TMP_OBJECT" 2>"$WORK/verify.err" | jq -r '.[0].Size // empty') ||
    die "cannot stat uploaded object $TMP_OBJECT: $(err_tail "$WORK/verify.err")"
  [[ "$remote_size" == "$LOCAL_SIZE" ]] ||
    die "uploaded size ${remote_size:-missing} differs from streamed size $LOCAL_SIZE; backup not published"
  mkfifo "$WORK/gzip-test.fifo"
  if [[ -n "$BACKUP_AGE_RECIPIENTS" ]]; then
    { head -c 21 | grep -q '^age-encryption.org/v1' || { echo "no age header" >&2; cat >/dev/null; false; }; cat >/dev/null; } \
      <"$WORK/gzip-test.fifo" 2>"$WORK/gzip-test.err" &
  else
    gzip -t <"$WORK/gzip-test.fifo" 2>"$WORK/gzip-test.err" &
  fi
  local gzip_pid=$!
  trap - ERR
  set +e
  remote_sha=$(rc cat "$TMP_OBJECT" 2>"$WORK/verify.err" | tee "$WORK/gzip-test.fifo" | sha256sum | cut -d ' ' -f 1)
  local cat_status=${PIPESTATUS[0]}
  wait "$gzip_pid"
  local gzip_status=$?
  set -e
  arm_err_trap
  [[ "$cat_status" -eq 0 ]] || die "cannot read back $TMP_OBJECT: $(err_tail "$WORK/verify.err")"
  [[ "$gzip_status" -eq 0 ]] ||
    die "uploaded object is not valid $([[ -n "$BACKUP_AGE_RECIPIENTS" ]] && echo "age" || echo "gzip"): $(err_tail "$WORK/gzip-test.err")"
  [[ "$remote_sha" == "$LOCAL_SHA" ]] ||
    die "uploaded sha256 $remote_sha differs from streamed sha256 $LOCAL_SHA; backup not published"
  log "step=verify-upload status=ok duration_s=$(since "$started") bytes=$remote_size sha256=$remote_sha"
}

write_manifest() {
  local pg_dump_version=""
  [[ "$BACKUP_SOURCE" == pg_dump ]] && pg_dump_version=$(pg_dump --version)
  local counts_snapshot="same-as-dump"
  [[ "$BACKUP_SOURCE" == dokku ]] && counts_snapshot="after-dump"
  jq -n --slurpfile stats "$WORK/stats.json" \
    --arg name "$NAME" --arg time "$STARTED_AT" --arg completed "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --arg source "$BACKUP_SOURCE" --arg pg_dump_version "$pg_dump_version" --arg sha256 "$LOCAL_SHA" \
    --arg counts_snapshot "$counts_snapshot" --argjson size "$LOCAL_SIZE" --argjson secs "$STREAM_SECONDS" \
    --arg recipients "$([[ -n "$BACKUP_AGE_RECIPIENTS" ]] && grep -E '^age1' "$BACKUP_AGE_RECIPIENTS" || true)" \
    '{format: 1, name: $name, time: $time, completed_at: $completed, source: $source,
      database: $stats[0].database, server_version: $stats[0].server_version,
      pg_dump_version: (if $pg_dump_version == "" then null else $pg_dump_version end),
      row_counts_snapshot: $counts_snapshot, row_counts: $stats[0].row_counts,
      size_bytes: $size, sha256: $sha256, stream_seconds: $secs,
      encryption: (if $recipients == "" then null else "age" end),
      age_recipients: (if $recipients == "" then null else ($recipients | split("\n")) end)}' >"$WORK/manifest.json" ||
    die "cannot build the manifest (row counts: $(head -c 300 "$WORK/stats.json"))"
}

# Move into place, then write the manifest; if the manifest cannot be written the dump is taken
# back down, so a published dump always has its manifest.
publish() {
  local started final="$BACKUP_REMOTE/$NAME"
  started=$(now)
  rc moveto "$TMP_OBJECT" "$final" 2>"$WORK/publish.err" ||
    die "cannot move $TMP_OBJECT to $final: $(err_tail "$WORK/publish.err")"
  TMP_OBJECT=""
  if ! rc copyto "$WORK/manifest.json" "$final.manifest.json" 2>"$WORK/publish.err"; then
    rc deletefile "$final" 2>/dev/null
    die "cannot upload manifest $final.manifest.json (dump withdrawn): $(err_tail "$WORK/publish.err")"
  fi
  PUBLISHED=1
  log "step=publish object=$final status=ok duration_s=$(since "$started") tables=$(jq '.row_counts | length' \
    "$WORK/manifest.json") rows=$(jq '[.row_counts[]] | add // 0' "$WORK/manifest.json")"
}

apply_retention() {
  local started cutoff
  started=$(now)
  cutoff=$(date -u -d "@$(($(date +%s) - RETENTION_DAYS * 86400))" +%Y%m%d%H%M%S)
  rc lsf --files-only "$BACKUP_REMOTE/" >"$WORK/listing" 2>"$WORK/retention.err" ||
    die "cannot list $BACKUP_REMOTE for retention: $(err_tail "$WORK/retention.err")"
  local -a dumps
  mapfile -t dumps < <(grep -E "$NAME_PATTERN" "$WORK/listing" | sort -r)
  : >"$WORK/expired"
  local i stamp
  # Newest first: the first KEEP_MIN always survive, whatever their age.
  for ((i = KEEP_MIN; i < ${#dumps[@]}; i++)); do
    stamp=${dumps[i]#"$NAME_PREFIX"}
    stamp=${stamp%.age}
    stamp=${stamp%.dump.gz}
    stamp=${stamp/-/}
    if [[ "$stamp" < "$cutoff" ]]; then
      printf '%s\n%s.manifest.json\n' "${dumps[i]}" "${dumps[i]}" >>"$WORK/expired"
    fi
  done
  local expired=$(($(wc -l <"$WORK/expired") / 2))
  if [[ "$expired" -gt 0 ]]; then
    rc delete --files-from-raw "$WORK/expired" "$BACKUP_REMOTE/" 2>"$WORK/retention.err" ||
      die "retention could not delete expired dumps: $(err_tail "$WORK/retention.err")"
  fi
  # Temporary objects of runs that were killed before their trap could clean up.
  rc delete --min-age 2d "$BACKUP_REMOTE/tmp/" 2>"$WORK/retention.err" ||
    log "WARN: could not sweep stale temporary objects: $(err_tail "$WORK/retention.err")"
  log "step=retention status=ok duration_s=$(since "$started") dumps=${#dumps[@]} deleted=$expired" \
    "kept=$((${#dumps[@]} - expired)) cutoff=$cutoff keep_min=$KEEP_MIN"
}

assets_sync_args() {
  ASSETS_ARGS=(sync "$ASSETS_SOURCE" "$ASSETS_BACKUP" --backup-dir "$ASSETS_VERSIONS/$STAMP")
  if [[ "$ASSETS_VERSIONS" == "$ASSETS_BACKUP/"* ]]; then
    # The versions folder lives inside the mirror; rclone allows that only when it is filtered out.
    ASSETS_ARGS+=(--filter "- /${ASSETS_VERSIONS#"$ASSETS_BACKUP/"}/**")
  fi
}

# `sync --backup-dir`: an object deleted or overwritten at the source is moved into the dated
# versions folder instead of being deleted, so an accidental delete in the app never reaches the backup.
sync_assets() {
  if [[ -z "$ASSETS_BACKUP" ]]; then
    log "step=assets status=skipped reason=ASSETS_BACKUP-empty"
    return 0
  fi
  local started
  started=$(now)
  assets_sync_args
  # A long --stats interval: only the final summary block is logged (at NOTICE, so errors stay visible).
  rclone "${ASSETS_ARGS[@]}" --stats 24h --stats-log-level NOTICE 2>"$WORK/assets.err" ||
    die "asset copy $ASSETS_SOURCE -> $ASSETS_BACKUP failed: $(err_tail "$WORK/assets.err")"
  local summary
  summary=$(grep -E '^(Transferred|Checks|Deleted|Renamed):' "$WORK/assets.err" | tr -s ' \t' ' ' | paste -sd ',') || true
  log "step=assets source=$ASSETS_SOURCE dest=$ASSETS_BACKUP versions=$ASSETS_VERSIONS/$STAMP status=ok" \
    "duration_s=$(since "$started") ${summary:-nothing to transfer}"
}

print_plan() {
  local url dump
  url=$(redact "$DATABASE_URL")
  printf '[dry-run] flock -n %s\n' "$LOCK_FILE"
  printf '[dry-run] rclone lsf --max-depth 1 %s/\n' "$BACKUP_REMOTE"
  if [[ "$PRUNE_ONLY" -eq 0 ]]; then
    if [[ "$BACKUP_SOURCE" == pg_dump ]]; then
      printf '[dry-run] psql -d %s  # BEGIN REPEATABLE READ; SELECT pg_export_snapshot(); count(*) per table\n' "$url"
      dump="pg_dump -Fc -Z0 --snapshot=<exported> -d $url"
    else
      printf '[dry-run] (after the export) row counts via %s\n' \
        "${DATABASE_URL:+psql -d $url}${DATABASE_URL:-dokku postgres:connect $DOKKU_DB_SERVICE}"
      dump="dokku postgres:export $DOKKU_DB_SERVICE"
    fi
    printf '[dry-run] %s | gzip -c -%s%s | tee >(sha256sum) >(wc -c) | rclone rcat %s\n' \
      "$dump" "$GZIP_LEVEL" "${BACKUP_AGE_RECIPIENTS:+ | age -R $BACKUP_AGE_RECIPIENTS}" "$BACKUP_REMOTE/tmp/$NAME.partial"
    printf '[dry-run] rclone lsjson %s ; rclone cat %s | tee >(gzip -t) | sha256sum\n' \
      "$BACKUP_REMOTE/tmp/$NAME.partial" "$BACKUP_REMOTE/tmp/$NAME.partial"
    printf '[dry-run] rclone moveto %s %s\n' "$BACKUP_REMOTE/tmp/$NAME.partial" "$BACKUP_REMOTE/$NAME"
    printf '[dry-run] rclone copyto manifest.json %s\n' "$BACKUP_REMOTE/$NAME.manifest.json"
  fi
  printf '[dry-run] rclone delete --files-from-raw <dumps older than %s days beyond the newest %s> %s/\n' \
    "$RETENTION_DAYS" "$KEEP_MIN" "$BACKUP_REMOTE"
  printf '[dry-run] rclone delete --min-age 2d %s/tmp/\n' "$BACKUP_REMOTE"
  if [[ "$PRUNE_ONLY" -eq 0 && -n "$ASSETS_BACKUP" ]]; then
    assets_sync_args
    printf '[dry-run] rclone %s\n' "${ASSETS_ARGS[*]}"
  fi
  [[ -n "$BACKUP_PING_URL" ]] && printf '[dry-run] curl %s (or %s/fail on failure)\n' \
    "$(redact "$BACKUP_PING_URL")" "$(redact "${BACKUP_PING_URL%/}")"
  return 0
}

main() {
  parse_args "$@"
  STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  STAMP=$(date -u +%Y%m%d-%H%M%S)
  NAME="${NAME_PREFIX}${STAMP}.dump.gz${BACKUP_AGE_RECIPIENTS:+.age}"
  if [[ "$DRY_RUN" -eq 1 ]]; then
    check_inputs
    print_plan
    return 0
  fi
  PING_ON_EXIT=1
  trap on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  arm_err_trap
  check_config
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/coaching-app-backup.XXXXXX")
  DB_URL=""
  [[ -z "$DATABASE_URL" ]] || pgpass_url DB_URL "$DATABASE_URL" "$WORK"
  acquire_lock
  local started
  started=$(now)
  log "start source=$BACKUP_SOURCE remote=$BACKUP_REMOTE name=$NAME prune_only=$PRUNE_ONLY"
  check_remote
  if [[ "$PRUNE_ONLY" -eq 0 ]]; then
    [[ "$BACKUP_SOURCE" == pg_dump ]] && open_snapshot
    stream_dump
    close_snapshot
    [[ "$BACKUP_SOURCE" == dokku ]] && count_rows_after_dump
    verify_upload
    write_manifest
    publish
  fi
  apply_retention
  [[ "$PRUNE_ONLY" -eq 0 ]] && sync_assets
  log "done status=ok duration_s=$(since "$started")${LOCAL_SIZE:+ name=$NAME bytes=$LOCAL_SIZE}"
}

main "$@"
