#!/usr/bin/env bash
# Lists backups made by backup-to-r2.sh, or downloads one, checks it against its manifest and
# restores it into a Postgres database.
set -euo pipefail
set -o errtrace

usage() {
  cat <<'EOF'
Usage:
  restore-from-r2.sh --list
  restore-from-r2.sh (--latest | --name FILE) (--target-url URL | --dokku-service SVC) [--force]

  --list               print the backups, oldest first: name, size, manifest present
  --latest             restore the newest backup
  --name FILE          restore this backup (coaching-app-YYYYMMDD-HHMMSS.dump.gz[.age])
  --target-url URL     Postgres URL of the database to restore into (must exist), without a
                       password (ps shows command lines): or the whole URL in RESTORE_TARGET_URL
  --dokku-service SVC  restore into a Dokku postgres service with `dokku postgres:import`
  --force              restore even if the target already has tables in schema public
                       (pg_restore --clean --if-exists: objects in the dump are replaced)
  --help               show this help

The sha256 of the download is checked against <FILE>.manifest.json before anything is restored.
Restores run pg_restore --no-owner --no-acl --exit-on-error --single-transaction: all or nothing.

Environment (defaults in brackets):
  RESTORE_TARGET_URL  the target's URL, password included (instead of --target-url)
  BACKUP_AGE_IDENTITY  the age identity file (mode 600) that decrypts .dump.gz.age backups
  BACKUP_REMOTE  rclone path of the dumps [r2-backup:coaching-app-backups/db]
  TMPDIR         where the dump is downloaded; needs room for one compressed dump [/tmp]
rclone remotes come from rclone.conf or RCLONE_CONFIG_<NAME>_* variables.

Exit status: 0 only when the restore (or listing) succeeded.
EOF
}

BACKUP_REMOTE="${BACKUP_REMOTE:-r2-backup:coaching-app-backups/db}"
BACKUP_REMOTE="${BACKUP_REMOTE%/}"

readonly PUBLIC_TABLES_SQL="SELECT 'tables:' || count(*) FROM information_schema.tables
  WHERE table_schema = 'public' AND table_type = 'BASE TABLE';"

MODE=""
NAME=""
TARGET_URL="${RESTORE_TARGET_URL:-}"
DOKKU_SERVICE=""
FORCE=0
WORK=""

SCRIPT_NAME=restore-from-r2
# shellcheck source-path=SCRIPTDIR source=backup-lib.bash
source "$(dirname "$(readlink -f "$0")")/backup-lib.bash"

on_exit() {
  local status=$?
  set +e
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  [[ "$status" -ne 0 ]] && log "FAILED (exit $status)"
  exit "$status"
}

parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --list) MODE=list ;;
      --latest) MODE=latest ;;
      --name)
        [[ $# -ge 2 ]] || die "--name needs a file name"
        MODE=name
        NAME="${2##*/}"
        shift
        ;;
      --target-url)
        [[ $# -ge 2 ]] || die "--target-url needs a URL"
        url_has_password "$2" &&
          die "--target-url carries a password, which ps shows to every user: give the URL in RESTORE_TARGET_URL (or the password in ~/.pgpass)"
        TARGET_URL="$2"
        shift
        ;;
      --dokku-service)
        [[ $# -ge 2 ]] || die "--dokku-service needs a service name"
        DOKKU_SERVICE="$2"
        shift
        ;;
      --force) FORCE=1 ;;
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
  [[ -n "$MODE" ]] || die "choose one of --list, --latest or --name FILE (see --help)"
  if [[ "$MODE" != list ]]; then
    [[ -n "$TARGET_URL" || -n "$DOKKU_SERVICE" ]] || die "give RESTORE_TARGET_URL, --target-url URL or --dokku-service SVC"
    [[ -z "$TARGET_URL" || -z "$DOKKU_SERVICE" ]] || die "give only one of --target-url and --dokku-service"
  fi
  if [[ "$MODE" == name ]]; then
    [[ "$NAME" =~ $NAME_PATTERN ]] || die "'$NAME' is not a backup name (coaching-app-YYYYMMDD-HHMMSS.dump.gz[.age])"
  fi
}

check_tools() {
  local tools=(rclone jq gzip sha256sum numfmt) tool
  if [[ "$MODE" != list ]]; then
    if [[ -n "$DOKKU_SERVICE" ]]; then tools+=(dokku); else tools+=(psql pg_restore); fi
  fi
  for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || die "required command '$tool' not found in PATH"
  done
}

# One JSON object per backup, oldest first (names sort by their timestamp).
list_backups() {
  rc lsjson --files-only "$BACKUP_REMOTE/" 2>"$WORK/list.err" >"$WORK/list.json" ||
    die "cannot list $BACKUP_REMOTE: $(err_tail "$WORK/list.err")"
  jq -c --arg pattern "$NAME_PATTERN" '
    ([.[].Name | select(endswith(".manifest.json"))]) as $manifests
    | [.[] | select(.Name | test($pattern))
      | {name: .Name, size: .Size, manifest: ((.Name + ".manifest.json") as $m | $manifests | index($m) != null)}]
    | sort_by(.name)[]' "$WORK/list.json"
}

print_list() {
  local line count=0
  while IFS= read -r line; do
    count=$((count + 1))
    printf '%s\t%s\t%s\n' "$(jq -r .name <<<"$line")" "$(human "$(jq -r .size <<<"$line")")" \
      "$(jq -r 'if .manifest then "manifest" else "NO-MANIFEST" end' <<<"$line")"
  done < <(list_backups)
  log "step=list remote=$BACKUP_REMOTE backups=$count"
}

target_table_count() {
  local out="$WORK/target.out"
  if [[ -n "$DOKKU_SERVICE" ]]; then
    dokku postgres:connect "$DOKKU_SERVICE" <<<"$PUBLIC_TABLES_SQL" >"$out" 2>"$WORK/target.err" ||
      die "cannot query dokku service $DOKKU_SERVICE: $(err_tail "$WORK/target.err")"
  else
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$TARGET_URL" -c "$PUBLIC_TABLES_SQL" >"$out" 2>"$WORK/target.err" ||
      die "cannot connect to target $(redact "$TARGET_URL"): $(err_tail "$WORK/target.err")"
  fi
  sed -n 's/^ *tables://p' "$out" | head -n 1
}

check_target() {
  local tables
  tables=$(target_table_count)
  [[ "$tables" =~ ^[0-9]+$ ]] || die "could not read the table count of the target"
  if [[ "$tables" -gt 0 && "$FORCE" -eq 0 ]]; then
    die "target is not empty ($tables tables in schema public); refusing to restore over it." \
      "Pass --force to replace the objects in the dump (pg_restore --clean --if-exists)"
  fi
  log "step=check-target tables_in_public=$tables force=$FORCE status=ok"
}

download_and_check() {
  local started expected actual
  started=$(now)
  rc cat "$BACKUP_REMOTE/$NAME.manifest.json" >"$WORK/manifest.json" 2>"$WORK/manifest.err" ||
    die "cannot read manifest $BACKUP_REMOTE/$NAME.manifest.json: $(err_tail "$WORK/manifest.err")"
  expected=$(jq -r '.sha256 // empty' "$WORK/manifest.json" 2>/dev/null) || true
  [[ "$expected" =~ ^[0-9a-f]{64}$ ]] || die "manifest of $NAME has no valid sha256"
  rc copyto "$BACKUP_REMOTE/$NAME" "$WORK/$NAME" 2>"$WORK/download.err" ||
    die "cannot download $BACKUP_REMOTE/$NAME: $(err_tail "$WORK/download.err")"
  actual=$(sha256sum "$WORK/$NAME" | cut -d ' ' -f 1)
  [[ "$actual" == "$expected" ]] ||
    die "sha256 of $NAME is $actual but the manifest says $expected; refusing to restore a corrupted dump"
  local size
  size=$(stat -c %s "$WORK/$NAME")
  log "step=download name=$NAME status=ok duration_s=$(since "$started") bytes=$size size=$(human "$size")" \
    "sha256=$actual"
}

restore() {
  local started
  started=$(now)
  local -a status
  trap - ERR
  set +e
  if [[ -n "$DOKKU_SERVICE" ]]; then
    # postgres:import runs pg_restore --clean --if-exists --no-owner inside the service container.
    unpack_dump "$WORK/$NAME" "$WORK/unpack" | dokku postgres:import "$DOKKU_SERVICE" 2>"$WORK/restore.err"
  else
    local -a opts=(--no-owner --no-acl --exit-on-error --single-transaction)
    [[ "$FORCE" -eq 1 ]] && opts+=(--clean --if-exists)
    unpack_dump "$WORK/$NAME" "$WORK/unpack" | pg_restore "${opts[@]}" -d "$TARGET_URL" 2>"$WORK/restore.err"
  fi
  status=("${PIPESTATUS[@]}")
  set -e
  arm_err_trap
  if [[ "${status[0]}" -ne 0 ]]; then
    [[ -s "$WORK/unpack.age" ]] && die "decrypting $NAME failed (not an identity of its recipients?): $(err_tail "$WORK/unpack.age")"
    die "gunzip of $NAME failed: $(err_tail "$WORK/unpack.gunzip")"
  fi
  [[ "${status[1]}" -eq 0 ]] || die "pg_restore into the target failed (nothing committed): $(err_tail "$WORK/restore.err")"
  local target="${TARGET_URL:+$(redact "$TARGET_URL")}${DOKKU_SERVICE:+dokku:$DOKKU_SERVICE}"
  log "step=restore name=$NAME target=$target status=ok duration_s=$(since "$started")"
}

main() {
  parse_args "$@"
  trap on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  arm_err_trap
  check_tools
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/coaching-app-restore.XXXXXX")
  # psql and pg_restore read the password from the run's pgpass file (backup-lib.bash).
  [[ -z "$TARGET_URL" ]] || pgpass_url TARGET_URL "$TARGET_URL" "$WORK"
  if [[ "$MODE" == list ]]; then
    print_list
    return 0
  fi
  check_target
  if [[ "$MODE" == latest ]]; then
    NAME=$(list_backups | tail -n 1 | jq -r .name)
    [[ -n "$NAME" ]] || die "no backups found in $BACKUP_REMOTE"
    log "step=resolve latest=$NAME"
  fi
  # Before the download: an encrypted dump is useless without its identity.
  [[ "$NAME" != *.age ]] || check_age_identity "$NAME"
  local started
  started=$(now)
  download_and_check
  restore
  log "done name=$NAME status=ok duration_s=$(since "$started")"
}

main "$@"
