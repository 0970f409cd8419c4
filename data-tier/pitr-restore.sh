#!/usr/bin/env bash
# Restores the pgBackRest repository to a point in time into a new data directory and starts it
# as a standalone Postgres, so rows can be inspected and copied back. All or nothing: the target
# is a directory that does not exist yet; on any failure it is removed again.
set -euo pipefail
SCRIPT_NAME="pitr-restore"
DRY_RUN="false"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=data-tier/lib.bash
source "$HERE/lib.bash"

usage() {
  cat <<'USAGE'
usage: data-tier/pitr-restore.sh (--to TIMESTAMP | --restore-point NAME | --latest) --target DIR [options]

Run as root on a data node (it reads /etc/pgbackrest/pgbackrest.conf: the repository and its
cipher pass). Restores the newest backup before the target and replays archived WAL up to it:
  --to TIMESTAMP   stop just before the first transaction committed after TIMESTAMP, e.g.
                   "2026-12-03 14:05:00+00" (always give the time zone). For a mistaken DELETE at T,
                   use a second before T: every transaction committed by then is restored.
  --restore-point NAME
                   stop at a restore point made with pg_create_restore_point(NAME) on the primary
                   (data-tier/restore-check.sh makes one each week)
  --latest         replay every WAL segment in the repository (a lost node with no standby: what
                   is missing is at most the last archive_timeout, 60 s)
  --target DIR     new data directory (must not exist); on another disk or node if space is short
  --port N         port of the restored instance (default 5499); it listens on 127.0.0.1 and
                   its socket directory only, archives nothing and has no standby
  --no-start       restore the files only (e.g. to hand DIR to Patroni: docs/runbooks/data-node-lost.md)
  --dry-run        print the commands, change nothing
  -h, --help       this text

Before a restore to TIMESTAMP the WAL past it must be in the repository: the script forces a WAL
switch on the primary when one is reachable and waits until that segment is archived.
Afterwards:  psql -h DIR -p N -U postgres coaching   ...   pg_ctl -D DIR stop  (as postgres)
USAGE
}

TARGET_TIME=""
RESTORE_POINT=""
LATEST="false"
TARGET=""
PORT=5499
START="true"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --to | --restore-point | --target | --port)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --to) TARGET_TIME="$2" ;;
        --restore-point) RESTORE_POINT="$2" ;;
        --target) TARGET="$2" ;;
        --port) PORT="$2" ;;
      esac
      shift 2
      ;;
    --latest) LATEST="true" && shift ;;
    --no-start) START="false" && shift ;;
    --dry-run) DRY_RUN="true" && shift ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
targets=0
[[ -z "$TARGET_TIME" ]] || targets=$((targets + 1))
[[ -z "$RESTORE_POINT" ]] || targets=$((targets + 1))
[[ "$LATEST" == "false" ]] || targets=$((targets + 1))
((targets == 1)) || die "give exactly one of --to TIMESTAMP, --restore-point NAME and --latest (see --help)"
[[ -z "$RESTORE_POINT" || "$RESTORE_POINT" =~ ^[A-Za-z0-9_.:-]{1,63}$ ]] ||
  die "--restore-point '$RESTORE_POINT': letters, digits and _.:- only, at most 63"
[[ -n "$TARGET" ]] || die "--target DIR is required (see --help)"
[[ "$TARGET" == /* ]] || die "--target must be an absolute path"
[[ ! -e "$TARGET" ]] || die "--target $TARGET exists; restore into a new directory (nothing is overwritten)"
is_port "$PORT" 1024 || die "--port $PORT is not 1024-65535"
if [[ -n "$TARGET_TIME" ]]; then
  # Postgres parses the timestamp; a missing zone would be read in the server's zone.
  [[ "$TARGET_TIME" =~ ([+-][0-9]{2}(:?[0-9]{2})?|Z|UTC)$ ]] ||
    die "--to '$TARGET_TIME' has no time zone; append +00 (or the offset you mean)"
fi
load_node_env

if [[ "$DRY_RUN" == "false" ]]; then
  [[ "$(id -u)" -eq 0 || "$(id -un)" == "postgres" ]] || die "run as root (or postgres) on a data node"
  [[ -r "$PGBR_CONF" || "$(id -u)" -eq 0 ]] || die "cannot read $PGBR_CONF"
fi

# Makes sure the WAL past TARGET_TIME is archived: a restore stops only at a commit after it.
ensure_archived_past_target() {
  if [[ "$DRY_RUN" == "true" ]]; then
    echo "(on the primary, when reachable: select pg_switch_wal(), then wait for pg_stat_archiver to pass it)"
    return 0
  fi
  patroni_is "$PATRONI_API" /primary || { [[ -n "$PEER_API" ]] && patroni_is "$PEER_API" /primary; } || {
    log "no primary reachable from here: restoring what the repository holds"
    return 0
  }
  if ! patroni_is "$PATRONI_API" /primary; then
    log "the primary is the peer: run this on it, or wait archive_timeout (60 s) after TIMESTAMP, for the WAL past the target"
    return 0
  fi
  local segment
  segment="$(psql_ -c "select pg_walfile_name(pg_switch_wal())")"
  log "switched WAL on the primary; waiting for $segment to be archived"
  local deadline=$((SECONDS + 120))
  until [[ "$(psql_ -c "select coalesce(last_archived_wal, '') >= '$segment' from pg_stat_archiver")" == "t" ]]; do
    ((SECONDS < deadline)) || die "$segment was not archived within 120 s: check pgbackrest's log in /var/log/pgbackrest"
    sleep 1
  done
}

cleanup_on_failure() {
  local status=$?
  if ((status != 0)) && [[ -d "$TARGET" ]]; then
    as_postgres "$PG_BIN_DIR/pg_ctl" -D "$TARGET" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$TARGET"
    log "failed: removed the partial restore $TARGET"
  fi
}

started="$(now)"
[[ -z "$TARGET_TIME" ]] || ensure_archived_past_target
restore_args=(--pg1-path="$TARGET" --archive-mode=off)
if [[ -n "$TARGET_TIME" ]]; then
  restore_args+=(--type=time "--target=$TARGET_TIME" --target-action=promote)
elif [[ -n "$RESTORE_POINT" ]]; then
  # The restore point's WAL record must be archived first: the caller (restore-check.sh) waits.
  restore_args+=(--type=name "--target=$RESTORE_POINT" --target-action=promote)
else
  restore_args+=(--type=default)
fi
if [[ "$DRY_RUN" == "true" ]]; then
  printf 'pgbackrest --config=%q --stanza=%q' "$PGBR_CONF" "$STANZA"
  printf ' %q' "${restore_args[@]}" restore
  printf '\n'
  [[ "$START" == "false" ]] || echo "(starts Postgres on 127.0.0.1:$PORT from $TARGET and waits for recovery to finish)"
  exit 0
fi
trap cleanup_on_failure EXIT
mkdir -p "$(dirname "$TARGET")" # an existing parent keeps its mode
install -d -m 700 "$TARGET"
[[ "$(id -u)" -ne 0 ]] || chown postgres:postgres "$TARGET"
if [[ -n "$TARGET_TIME" ]]; then
  goal="to $TARGET_TIME"
elif [[ -n "$RESTORE_POINT" ]]; then
  goal="to the restore point $RESTORE_POINT"
else
  goal="to the end of the archived WAL"
fi
log "restoring into $TARGET ($goal)"
pgbackrest_ "${restore_args[@]}" --log-level-console=warn restore || die "pgbackrest restore failed"
restored="$(since "$started")"
log "files restored in $restored s ($(du -sh "$TARGET" | cut -f1))"
[[ "$START" == "true" ]] || {
  trap - EXIT
  log "restored (not started): $TARGET"
  exit 0
}

# The restored configuration is the source node's: its port, its pg_hba.conf path, its
# synchronous standby (commits would wait forever), its archive_command. Override all of them.
recovery_started="$(now)"
options="-c port=$PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$TARGET"
options+=" -c hba_file=$TARGET/pg_hba.conf -c ident_file=$TARGET/pg_ident.conf"
options+=" -c synchronous_standby_names= -c archive_mode=off -c cluster_name=pitr-restore"
as_postgres "$PG_BIN_DIR/pg_ctl" -D "$TARGET" -l "$TARGET/restore.log" -o "$options" -w -t 600 start >/dev/null ||
  die "the restored instance did not start: $(tail -n 5 "$TARGET/restore.log" 2>/dev/null | tr '\n' ' ')"
until [[ "$(PGHOST="$TARGET" PGPORT="$PORT" psql_ -c "select pg_is_in_recovery()" 2>/dev/null)" == "f" ]]; do
  grep -q "FATAL" "$TARGET/restore.log" && die "recovery failed: $(grep FATAL "$TARGET/restore.log" | tail -n 2 | tr '\n' ' ')"
  sleep 0.5
done
trap - EXIT
log "recovered and promoted in $(since "$recovery_started") s; total $(since "$started") s"
printf 'restored: %s  port %s  (psql -h %s -p %s -U postgres <database>)\n' "$TARGET" "$PORT" "$TARGET" "$PORT"
