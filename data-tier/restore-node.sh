#!/usr/bin/env bash
# The only data node is lost (the 3-VPS shape, or both nodes of the 4-VPS one): brings the cluster
# back on this node from the pgBackRest repository, up to the last archived WAL, under Patroni.
# With a primary still running, a lost node comes back with rebuild-node.sh instead.
set -euo pipefail
SCRIPT_NAME="restore-node"
DRY_RUN="false"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=data-tier/lib.bash
source "$HERE/lib.bash"

usage() {
  cat <<'USAGE'
usage: data-tier/restore-node.sh --yes [--no-start] [--timeout S] [--dry-run]

Run as root on the new data node, after data-tier/setup-data-node.sh and `systemctl stop patroni`
(docs/runbooks/data-node-lost.md, "Without a standby"). In order:
  1. refuses while Patroni answers on this node, and while any member of the cluster is running
     (then nothing is lost: rebuild-node.sh clones from it);
  2. removes the lost cluster's state from etcd (patronictl remove): Patroni would otherwise wait
     for the old leader, or refuse to promote a copy behind the last position it recorded;
  3. deletes this node's Patroni data directory and restores the repository into it, replaying
     every archived WAL segment (what is missing is at most the last archive_timeout, 60 s);
     archiving stays as configured: this copy becomes the primary and must archive;
  4. starts Patroni (systemctl start patroni), which registers the cluster anew with this data
     directory and, as its only member, promotes it on a new timeline; waits until this node is
     the Leader and has archived a WAL segment of the new timeline.
Then take a full backup (data-tier/backup.sh --type full): the new timeline's base.
  --yes         required: this deletes the data directory and the cluster's state in etcd
  --no-start    stop after step 3 and print the command that starts Patroni
  --timeout S   how long to wait for the promotion (default 600)
  --dry-run     print the checks' result and the commands, change nothing
  -h, --help    this text
Exit status: 0 restored and promoted (or restored, with --no-start), 1 refused or failed.
USAGE
}

YES="false"
START="true"
TIMEOUT=600
while [[ $# -gt 0 ]]; do
  case "$1" in
    --timeout)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      TIMEOUT="$2"
      shift 2
      ;;
    --yes) YES="true" && shift ;;
    --no-start) START="false" && shift ;;
    --dry-run) DRY_RUN="true" && shift ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout must be seconds"
load_node_env
for tool in patronictl pgbackrest jq; do command -v "$tool" >/dev/null || die "$tool not found"; done
[[ -r "$PATRONI_CONF" ]] || die "cannot read $PATRONI_CONF: run data-tier/setup-data-node.sh first"
# Keys of the rendered config (data-tier/templates/patroni.yml): scope and name at the top level,
# data_dir under postgresql.
scope="$(sed -n 's/^scope: *//p' "$PATRONI_CONF")"
member="$(sed -n 's/^name: *//p' "$PATRONI_CONF")"
data_dir="$(sed -n 's/^  data_dir: *//p' "$PATRONI_CONF")"
[[ -n "$scope" && -n "$member" && "$data_dir" == /* ]] || die "$PATRONI_CONF has no scope, name or absolute data_dir"

# 1. Nothing may be running that holds newer data than the repository.
! curl -sS -o /dev/null --max-time 3 "http://$PATRONI_API/health" 2>/dev/null ||
  die "Patroni answers on $PATRONI_API: stop it first (systemctl stop patroni)"
members="$(cluster_members)" || die "patronictl list failed: is etcd reachable from here? (data-tier/check.sh)"
running="$(awk '$3 == "running" || $3 == "streaming" { print $1 }' <<<"$members")"
[[ -z "$running" ]] ||
  die "member(s) $(tr '\n' ' ' <<<"$running")still run: bring this node back with rebuild-node.sh, which loses nothing"
log "no member of $scope runs (${members:-none registered}); restoring $member from the repository"

if [[ "$DRY_RUN" == "true" ]]; then
  printf '%s\n' "patronictl -c $PATRONI_CONF remove $scope   (confirmations on stdin)" \
    "rm -rf $data_dir" \
    "pgbackrest --config=$PGBR_CONF --stanza=$STANZA --pg1-path=$data_dir --type=default restore"
  [[ "$START" == "false" ]] || echo "systemctl start patroni   (then waits until $member is the Leader)"
  exit 0
fi
[[ "$YES" == "true" ]] || die "this deletes $data_dir and $scope's state in etcd: add --yes"
started="$(now)"

# 2. patronictl remove asks for the cluster's name and a typed confirmation (Patroni 3.0,
# patroni/ctl.py `remove`); with no leader it asks nothing else.
printf '%s\nYes I am aware\n' "$scope" | patronictl_ remove "$scope" >&2 ||
  die "patronictl remove $scope failed"
log "removed $scope's state from etcd"

# 3. All or nothing: a failed restore leaves no half-restored directory for Patroni to start.
rm -rf "$data_dir"
install -d -m 700 "$data_dir"
[[ "$(id -u)" -ne 0 ]] || chown postgres:postgres "$data_dir"
if ! pgbackrest_ --pg1-path="$data_dir" --type=default --log-level-console=warn restore >&2; then
  rm -rf "$data_dir"
  die "pgbackrest restore failed (/var/log/pgbackrest); $data_dir removed"
fi
log "restored into $data_dir in $(since "$started") s ($(du -sh "$data_dir" | cut -f1))"
if [[ "$START" == "false" ]]; then
  log "not started (--no-start): systemctl start patroni"
  exit 0
fi

# 4. Patroni finds no cluster in etcd and a data directory: it registers the cluster with this
# directory's system identifier, replays the archived WAL and, as the only member, promotes.
run systemctl start patroni
deadline=$((SECONDS + TIMEOUT))
until patroni_is "$PATRONI_API" /primary; do
  ((SECONDS < deadline)) || die "after $TIMEOUT s $member is not the primary: journalctl -u patroni -n 50"
  sleep 2
done
segment="$(psql_ -c "select pg_walfile_name(pg_switch_wal())")"
until [[ "$(psql_ -c "select coalesce(last_archived_wal, '') >= '$segment' from pg_stat_archiver")" == "t" ]]; do
  ((SECONDS < deadline)) || die "$member is the primary but did not archive $segment: check archiving (data-tier/check.sh)"
  sleep 1
done
log "done in $(since "$started") s: $member is the primary on a new timeline and archives; take a full backup now (data-tier/backup.sh --type full)"
