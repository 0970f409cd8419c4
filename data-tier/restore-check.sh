#!/usr/bin/env bash
# The weekly proof that the pgBackRest repository restores (coaching-restore-check.timer): a
# restore point with exact row counts on the primary, a restore of the repository to that point
# into a scratch directory, the same counts there. A backup nobody restored is a hope.
set -euo pipefail
SCRIPT_NAME="restore-check"
DRY_RUN="false"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=data-tier/lib.bash
source "$HERE/lib.bash"

usage() {
  cat <<'USAGE'
usage: data-tier/restore-check.sh [--database NAME] [--scratch DIR] [--port N] [--dry-run]

Run as root on both data nodes (the timer does, Sundays after the full backup); it runs only where
this node is the primary and exits 0 with a message on the standby. In order:
  1. on the primary, in one transaction: lock every table of the database in SHARE mode (writes
     wait for the milliseconds the counting takes; lock_timeout 5 s, so it gives up rather than
     queue behind a long transaction), create a restore point, count every table's rows
  2. wait until the WAL holding the restore point is archived
  3. data-tier/pitr-restore.sh --restore-point into DIR/<restore point>, started on port N
  4. count the same tables in the restored copy; every count must equal the live one
  5. stop the copy and remove it (kept on failure for a look; the next run removes it)
On success it writes $STATE_DIR/last-restore-check and a row in the table restore_check_log of the
postgres database, which replicates, so data-tier/check.sh finds it on either node; with
RESTORE_CHECK_PING_URL in /etc/default/coaching-data-tier it GETs that URL on success and
URL/fail on failure (a dead-man's switch such as healthchecks.io: a week without a ping alerts).
  --database NAME  the database to check (default coaching)
  --scratch DIR    where the copy is restored (default /var/lib/postgresql/restore-check); needs
                   room for the whole database
  --port N         port of the restored copy (default 5498, 127.0.0.1 only)
  --dry-run        print what would be done, change nothing
  -h, --help       this text
Exit status: 0 the restore matched (or not the primary), 1 it did not or could not be checked.
USAGE
}

DATABASE="coaching"
SCRATCH="/var/lib/postgresql/restore-check"
PORT=5498
while [[ $# -gt 0 ]]; do
  case "$1" in
    --database | --scratch | --port)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --database) DATABASE="$2" ;;
        --scratch) SCRATCH="$2" ;;
        --port) PORT="$2" ;;
      esac
      shift 2
      ;;
    --dry-run) DRY_RUN="true" && shift ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$DATABASE" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "--database '$DATABASE': lower-case letters, digits and _"
[[ "$SCRATCH" == /* ]] || die "--scratch must be an absolute path"
is_port "$PORT" 1024 || die "--port $PORT is not 1024-65535"
load_node_env
STATE_DIR="${STATE_DIR:-/var/lib/coaching-data-tier}"
RESTORE_CHECK_PING_URL="${RESTORE_CHECK_PING_URL:-}"

ping_url() {
  [[ -n "$RESTORE_CHECK_PING_URL" && "$DRY_RUN" == "false" ]] || return 0
  curl -fsS -m 10 --retry 3 -o /dev/null "$1" 2>/dev/null || log "warning: could not reach the ping URL"
}
finish() {
  local status=$?
  if ((status == 0)); then ping_url "$RESTORE_CHECK_PING_URL"; else ping_url "${RESTORE_CHECK_PING_URL%/}/fail"; fi
}

if ! patroni_is "$PATRONI_API" /primary; then
  log "this node is not the primary: nothing to do (the primary's timer runs the check)"
  exit 0
fi
point="restore-check-$(date -u +%Y%m%dT%H%M%SZ)"
target="$SCRATCH/$point"
# Counts of every ordinary table of the public schema, one "table count" line each, sorted.
count_sql="select string_agg(format('select %L || '' '' || count(*) from %I.%I', relname, nspname, relname), ' union all ' order by relname)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'p') and n.nspname = 'public'"
if [[ "$DRY_RUN" == "true" ]]; then
  echo "(on $DATABASE: begin; set local lock_timeout = '5s'; lock every public table in share mode;"
  echo " select pg_create_restore_point('$point'); count every table; commit)"
  echo "(then pg_switch_wal() and wait until that segment is archived)"
  "$HERE/pitr-restore.sh" --restore-point "$point" --target "$target" --port "$PORT" --dry-run
  echo "(count the same tables on 127.0.0.1:$PORT, compare, stop the copy, remove $target)"
  exit 0
fi
trap finish EXIT
started="$(now)"
command -v jq >/dev/null || die "jq not found"

# Old copies from a failed run, then this run's.
if [[ -d "$SCRATCH" ]]; then
  for old in "$SCRATCH"/restore-check-*; do
    [[ -d "$old" ]] || continue
    as_postgres "$PG_BIN_DIR/pg_ctl" -D "$old" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$old"
    log "removed the copy of an earlier run, $old"
  done
fi

# 1. The restore point and the counts in one transaction, with writers held off: no commit lands
# between the restore point's WAL record and the counts, so the restored copy must match exactly.
queries="$(PSQL_DATABASE="$DATABASE" psql_ -c "$count_sql")" || die "cannot read the tables of $DATABASE"
[[ -n "$queries" ]] || die "$DATABASE has no tables in schema public: nothing to check"
tables="$(PSQL_DATABASE="$DATABASE" psql_ -c "select string_agg(format('%I.%I', nspname, relname), ', ' order by relname)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'p') and n.nspname = 'public'")"
lock_started="$(now)"
live="$(PSQL_DATABASE="$DATABASE" psql_ <<SQL
begin;
set local lock_timeout = '5s';
lock table $tables in share mode;
select 'point ' || pg_create_restore_point('$point');
$queries;
commit;
SQL
)" || die "could not lock the tables and make the restore point (a long transaction held a lock past 5 s?)"
locked_s="$(since "$lock_started")"
point_lsn="$(awk '$1 == "point" { print $2 }' <<<"$live")"
live_counts="$(grep -v '^point ' <<<"$live" | sort)"
log "restore point $point at $point_lsn: $(wc -l <<<"$live_counts") tables counted, writes held for $locked_s s"

# 2. The restore point must be in the repository: switch WAL and wait for that segment.
segment="$(psql_ -c "select pg_walfile_name(pg_switch_wal())")"
deadline=$((SECONDS + 180))
until [[ "$(psql_ -c "select coalesce(last_archived_wal, '') >= '$segment' from pg_stat_archiver")" == "t" ]]; do
  ((SECONDS < deadline)) || die "$segment was not archived within 180 s: check pgbackrest's log in /var/log/pgbackrest"
  sleep 1
done

# 3. Restore to the point and start the copy.
restore_started="$(now)"
"$HERE/pitr-restore.sh" --restore-point "$point" --target "$target" --port "$PORT" >&2 ||
  die "the repository did not restore to $point (pitr-restore.sh failed above)"
restore_s="$(since "$restore_started")"

# 4. The same counts in the copy.
copy_counts="$(PGHOST="$target" PGPORT="$PORT" PSQL_DATABASE="$DATABASE" psql_ -c "$queries" | sort)" ||
  die "cannot count the tables in the restored copy ($target, port $PORT; kept for a look)"
if [[ "$copy_counts" != "$live_counts" ]]; then
  log "live and restored counts differ (table count):"
  diff <(printf '%s\n' "$live_counts") <(printf '%s\n' "$copy_counts") | sed 's/^/  /' >&2 || true
  die "the restored copy does not match the primary at $point (kept in $target for a look)"
fi
rows="$(awk '{ s += $2 } END { print s + 0 }' <<<"$live_counts")"

# 5. Clean up; record the result for check.sh.
as_postgres "$PG_BIN_DIR/pg_ctl" -D "$target" -m fast -w stop >/dev/null || log "warning: the copy did not stop cleanly"
rm -rf "$target"
install -d -m 755 "$STATE_DIR"
printf 'point=%s\nlsn=%s\ntables=%s\nrows=%s\nrestore_s=%s\nfinished=%s\n' "$point" "$point_lsn" \
  "$(wc -l <<<"$live_counts")" "$rows" "$restore_s" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$STATE_DIR/last-restore-check.tmp"
mv "$STATE_DIR/last-restore-check.tmp" "$STATE_DIR/last-restore-check"
PSQL_DATABASE=postgres psql_ <<SQL || die "the check passed, but its row in restore_check_log was not written"
create table if not exists restore_check_log (
  finished timestamptz primary key default now(), point text not null, tables int not null,
  row_count bigint not null, restore_s numeric not null);
insert into restore_check_log (point, tables, row_count, restore_s)
  values ('$point', $(wc -l <<<"$live_counts"), $rows, $restore_s);
SQL
log "ok in $(since "$started") s: $(wc -l <<<"$live_counts") tables, $rows rows match at $point (restore $restore_s s)"
