#!/usr/bin/env bash
# One heartbeat write on the primary (coaching-pg-heartbeat.timer, every 10 s).
set -euo pipefail
SCRIPT_NAME="pg-heartbeat"
DRY_RUN="false"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=data-tier/lib.bash
source "$HERE/lib.bash"

usage() {
  cat <<'USAGE'
usage: data-tier/pg-heartbeat.sh [--dry-run]

Writes one WAL record on this node when it is the primary, and does nothing on a standby. Without
writes an idle primary produces no WAL, and a node rejoining after pg_rewind can wait in
"starting" for WAL past its minimum recovery point (seen for 84 s with Patroni 3.0 here): the
heartbeat bounds that wait to ~10 s. It also keeps archive_timeout's 60 s switches regular.
  --dry-run   print what would be written
  -h, --help  this text
USAGE
}
case "${1:-}" in
  -h | --help)
    usage
    exit 0
    ;;
  --dry-run) DRY_RUN="true" ;;
  "") ;;
  *) die "unknown argument '$1' (see --help)" ;;
esac
load_node_env
patroni_is "$PATRONI_API" /primary || exit 0
if [[ "$DRY_RUN" == "true" ]]; then
  echo "select pg_logical_emit_message(false, 'coaching-heartbeat', now()::text)"
  exit 0
fi
psql_ -c "select pg_logical_emit_message(false, 'coaching-heartbeat', now()::text)" >/dev/null
