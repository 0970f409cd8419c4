#!/usr/bin/env bash
# Brings a data node back as the synchronous standby by cloning it afresh from the primary: the
# last step after a lost node (a new machine set up with setup-data-node.sh), or for a node whose
# old data cannot rejoin (pg_rewind failed, a damaged data directory).
set -euo pipefail
SCRIPT_NAME="rebuild-node"
DRY_RUN="false"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=data-tier/lib.bash
source "$HERE/lib.bash"

usage() {
  cat <<'USAGE'
usage: data-tier/rebuild-node.sh --yes [--member NAME] [--force] [--timeout S] [--dry-run]

Run as root on the node to rebuild, after data-tier/setup-data-node.sh (docs/runbooks/data-node-lost.md).
Refuses when this node is the primary and when the cluster has no primary; does nothing when the
member is already the synchronous standby streaming with zero lag (unless --force). Otherwise runs
  patronictl reinit <cluster> <member> --force --wait
Patroni stops Postgres here, deletes this node's data directory and clones it from the primary
(pg_basebackup), then starts it as a standby; with synchronous_mode it becomes the synchronous
standby. Nothing on this node is kept: with synchronous_mode every acknowledged commit is on the
primary already. The script waits until the member is Sync_Standby, streaming, lag 0.
  --yes         required: this deletes the node's data directory
  --force       rebuild a standby that streams (its files are suspect: a disk error, a checksum
                failure in the Postgres log)
  --member NAME the member to rebuild (default: this node's name in /etc/patroni/config.yml)
  --timeout S   how long to wait for the clone (default 3600; about 1 min per 5 GB on a 1 Gbit/s
                private network)
  --dry-run     print the checks' result and the command, change nothing
  -h, --help    this text
Exit status: 0 rebuilt (or nothing to do), 1 refused or failed.
USAGE
}

YES="false"
FORCE="false"
MEMBER=""
TIMEOUT=3600
while [[ $# -gt 0 ]]; do
  case "$1" in
    --member | --timeout)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      [[ "$1" == "--member" ]] && MEMBER="$2" || TIMEOUT="$2"
      shift 2
      ;;
    --yes) YES="true" && shift ;;
    --force) FORCE="true" && shift ;;
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
for tool in patronictl jq; do command -v "$tool" >/dev/null || die "$tool not found"; done
[[ -r "$PATRONI_CONF" ]] || die "cannot read $PATRONI_CONF: run data-tier/setup-data-node.sh first"
# The two top-level keys of the rendered config (data-tier/templates/patroni.yml).
scope="$(sed -n 's/^scope: *//p' "$PATRONI_CONF")"
[[ -n "$MEMBER" ]] || MEMBER="$(sed -n 's/^name: *//p' "$PATRONI_CONF")"
[[ -n "$scope" && -n "$MEMBER" ]] || die "$PATRONI_CONF has no scope or name"

members="$(cluster_members)" || die "patronictl list failed: is Patroni running here? (systemctl status patroni)"
leader="$(awk '$2 == "Leader" { print $1 }' <<<"$members")"
[[ -n "$leader" ]] || die "the cluster has no primary to clone from: $(tr "\n" ";" <<<"$members") (with no standby left, restore from the repository: docs/runbooks/data-node-lost.md)"
[[ "$leader" != "$MEMBER" ]] || die "$MEMBER is the primary: rebuilding it would delete the cluster's only current copy"
line="$(grep -E "^$MEMBER " <<<"$members" || true)"
if [[ "$FORCE" == "false" && "$line" =~ ^[^\ ]+\ Sync_Standby\ (running|streaming)\ 0$ ]]; then
  log "$MEMBER is already the synchronous standby, streaming with zero lag: nothing to do (--force rebuilds it anyway)"
  exit 0
fi
[[ -n "$line" ]] || log "$MEMBER is not in the cluster yet (Patroni not started on it?); reinit starts it"
log "rebuilding $MEMBER from $leader (now: ${line:-not a member})"
if [[ "$DRY_RUN" == "true" ]]; then
  printf 'patronictl -c %q reinit %q %q --force --wait\n' "$PATRONI_CONF" "$scope" "$MEMBER"
  exit 0
fi
[[ "$YES" == "true" ]] || die "this deletes $MEMBER's data directory and clones it from $leader: add --yes"
started="$(now)"
patronictl_ reinit "$scope" "$MEMBER" --force --wait >&2 || die "patronictl reinit failed (journalctl -u patroni -n 50)"
deadline=$((SECONDS + TIMEOUT))
until members="$(cluster_members 2>/dev/null)" && grep -qE "^$MEMBER Sync_Standby (running|streaming) 0$" <<<"$members"; do
  ((SECONDS < deadline)) || die "after $TIMEOUT s $MEMBER is not the synchronous standby: $(tr "\n" ";" <<<"$members")"
  sleep 2
done
log "done in $(since "$started") s: $MEMBER is the synchronous standby of $leader"
