#!/usr/bin/env bash
# One pgBackRest backup of the cluster (coaching-pgbackrest-backup.timer: full on Sundays,
# differential the other days), taken from the standby when one is streaming.
set -euo pipefail
SCRIPT_NAME="backup"
DRY_RUN="false"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=data-tier/lib.bash
source "$HERE/lib.bash"

usage() {
  cat <<'USAGE'
usage: data-tier/backup.sh [--type full|diff|incr] [--dry-run]

Run as root on both data nodes (the timer does); it backs up only where this node is the primary,
and exits 0 with a message on the standby, so the timer can run everywhere and a failover needs no
change. With a synchronous standby streaming at zero lag, pgBackRest copies the files from the
standby (--backup-standby) and only the start/stop calls touch the primary. Without one (the
three-VPS shape, or the standby is down) it copies from the primary (--no-backup-standby):
pgBackRest 2.45 fails a --backup-standby backup when no standby answers, it has no "prefer".
On success it writes $STATE_DIR/last-backup (type, label, finish time) for the preflight check.
  --type T    full, diff (default), incr, or auto (full on Sundays, diff otherwise, as the timer
              runs it); diff/incr become full when no full exists
  --dry-run   print the decision and the pgbackrest command, change nothing
  -h, --help  this text
Exit status: 0 backed up (or not the primary), 1 failed.
USAGE
}

TYPE="diff"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --type)
      [[ $# -ge 2 ]] || die "--type needs a value"
      TYPE="$2"
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
[[ "$TYPE" =~ ^(full|diff|incr|auto)$ ]] || die "--type must be full, diff, incr or auto, not '$TYPE'"
if [[ "$TYPE" == "auto" ]]; then
  if [[ "$(date +%u)" == 7 ]]; then TYPE="full"; else TYPE="diff"; fi
fi
load_node_env
STATE_DIR="${STATE_DIR:-/var/lib/coaching-data-tier}"
command -v pgbackrest >/dev/null || die "pgbackrest not found (package pgbackrest)"

if ! patroni_is "$PATRONI_API" /primary; then
  log "this node is not the primary: nothing to do (the primary's timer takes the backup)"
  exit 0
fi
standby="--no-backup-standby"
if members="$(cluster_members 2>/dev/null)" && grep -qE "^[^ ]+ Sync_Standby (running|streaming) 0$" <<<"$members"; then
  standby="--backup-standby"
fi
log "backup type=$TYPE $standby ($(tr "\n" ";" <<<"${members:-no member list}"))"
if [[ "$DRY_RUN" == "true" ]]; then
  printf 'pgbackrest --config=%q --stanza=%q backup --type=%q %s\n' "$PGBR_CONF" "$STANZA" "$TYPE" "$standby"
  exit 0
fi
started="$(now)"
pgbackrest_ backup --type="$TYPE" "$standby" --log-level-console=info >&2 ||
  die "pgbackrest backup failed (log: /var/log/pgbackrest); the previous backups are untouched"
info="$(pgbackrest_ info --output=json)" || die "pgbackrest info failed after the backup"
label="$(jq -r '.[0].backup[-1].label' <<<"$info")"
kind="$(jq -r '.[0].backup[-1].type' <<<"$info")"
stop="$(jq -r '.[0].backup[-1].timestamp.stop' <<<"$info")"
install -d -m 755 "$STATE_DIR"
printf 'type=%s\nlabel=%s\nstop=%s\n' "$kind" "$label" "$stop" >"$STATE_DIR/last-backup.tmp"
mv "$STATE_DIR/last-backup.tmp" "$STATE_DIR/last-backup"
log "done in $(since "$started") s: $kind backup $label"
