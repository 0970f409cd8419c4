#!/usr/bin/env bash
# A planned switchover: the synchronous standby becomes the primary, the old primary its standby,
# with about a second of 503s and no write lost (drill b). Uses Patroni's own switchover.
set -euo pipefail
SCRIPT_NAME="switchover"
DRY_RUN="false"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=data-tier/lib.bash
source "$HERE/lib.bash"

usage() {
  cat <<'USAGE'
usage: data-tier/switchover.sh [--to NAME] [--timeout S] [--dry-run]

Run as root on either data node. Checks that the cluster has a primary and a synchronous standby
that is streaming with no lag, then runs
  patronictl switchover --leader <primary> --candidate <standby> --force
and waits until the candidate is the primary and the old primary streams from it as the new
synchronous standby. Use it before maintenance on the primary's machine (kernel update, resize).
  --to NAME     the member to promote (default: the synchronous standby)
  --timeout S   how long to wait for the new roles (default 120)
  --dry-run     print the check's result and the command, change nothing
  -h, --help    this text
Exit status: 0 switched, 1 refused or failed (nothing changed when refused).
USAGE
}

TO=""
TIMEOUT=120
while [[ $# -gt 0 ]]; do
  case "$1" in
    --to | --timeout)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      [[ "$1" == "--to" ]] && TO="$2" || TIMEOUT="$2"
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
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout must be seconds"
load_node_env
command -v patronictl >/dev/null || die "patronictl not found (package patroni)"
command -v jq >/dev/null || die "jq not found"

members="$(cluster_members)" || die "patronictl list failed: is Patroni running here? (systemctl status patroni)"
leader="$(awk '$2 == "Leader" { print $1 }' <<<"$members")"
[[ -n "$leader" ]] || die "the cluster has no primary right now; a failover is in progress or needed: $(tr "\n" ";" <<<"$members")"
[[ -n "$TO" ]] || TO="$(awk '$2 == "Sync_Standby" { print $1; exit }' <<<"$members")"
[[ -n "$TO" ]] || die "no synchronous standby to switch to; with one data node there is nothing to switch over to: $(tr "\n" ";" <<<"$members")"
[[ "$TO" != "$leader" ]] || die "$TO is already the primary"
line="$(grep -E "^$TO " <<<"$members")" || die "$TO is not a member of the cluster: $(tr "\n" ";" <<<"$members")"
[[ "$(awk '{ print $2 }' <<<"$line")" == "Sync_Standby" ]] ||
  die "$TO is not the synchronous standby ($line): promoting it could lose acknowledged writes"
[[ "$line" =~ \ (running|streaming)\ 0$ ]] ||
  die "$TO is not streaming with zero lag ($line); wait, or look at it first"

log "switching over: $leader -> $TO"
if [[ "$DRY_RUN" == "true" ]]; then
  printf 'patronictl -c %q switchover --leader %q --candidate %q --force\n' "$PATRONI_CONF" "$leader" "$TO"
  exit 0
fi
started="$(now)"
patronictl_ switchover --leader "$leader" --candidate "$TO" --force >&2 || die "patronictl switchover failed"
deadline=$((SECONDS + TIMEOUT))
until members="$(cluster_members 2>/dev/null)" &&
  grep -qE "^$TO Leader " <<<"$members" && grep -qE "^$leader Sync_Standby (running|streaming) 0$" <<<"$members"; do
  ((SECONDS < deadline)) || die "after ${TIMEOUT} s the roles are not settled: $(tr "\n" ";" <<<"$members")"
  sleep 1
done
log "done in $(since "$started") s: $TO is the primary, $leader its synchronous standby"
