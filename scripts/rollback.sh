#!/usr/bin/env bash
# Rolls production back to an earlier commit through the same drained, rolling path as a deploy:
# scripts/deploy-rolling.sh --ref <sha> --force. There is no faster path through old images: Dokku
# removes the images no container uses after every successful deploy (dokku/dokku
# plugins/scheduler-docker-local, post-deploy cleanup), and `git:from-image` refuses to run while a
# `builder-dockerfile dockerfile-path` is set, which this app needs (dokku/Dockerfile). So a rollback
# rebuilds the old commit; the BuildKit cache keeps that to a minute or two per node.
set -euo pipefail

TO=""
FROM="${ROLLBACK_FROM:-HEAD}"
MIGRATIONS_DIR="${ROLLBACK_MIGRATIONS_DIR:-backend/src/db/migrations}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PASS=()

usage() {
  cat <<'EOF'
usage: scripts/rollback.sh --to REF [--from REF] [--nodes "2 1"] [--all-nodes "1 2"] [--dry-run]

Puts the release REF back on every app node, one node at a time, through scripts/deploy-rolling.sh
(--force, since the nodes' main is ahead of REF): each node is drained, gets REF pushed, must answer
/health/ready and report REF as its /health version, and only then takes traffic again. The other
node serves meanwhile; a drain is refused unless another production node is serving.

Before it starts it prints what the rollback undoes:
  - the commits between REF and --from (default HEAD, the release you are leaving)
  - migrations added since REF: they stay applied. The old release must run against the newer
    schema (migrations are expand/contract, docs/runbooks/rollback.md#migrations).
REF must be an ancestor of --from: deploying a commit from another line is a deploy, not a rollback
(use scripts/deploy-rolling.sh).

options:
  --to REF            the release to go back to (a sha, tag or branch; required)
  --from REF          the release being replaced (default HEAD; env ROLLBACK_FROM)
  --nodes, --all-nodes, --allow-outage   passed to deploy-rolling.sh (see its --help)
  --dry-run           print the summary and every command, run nothing
  --help              this text

The transport (ssh, git remotes, timeouts) is deploy-rolling.sh's: its DEPLOY_* variables apply.
Afterwards revert the bad commits on main, or the next CI deploy brings them back.
EOF
}

log() { printf '%s rollback: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "ABORTED: $*"
  exit 1
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --to | --from | --nodes | --all-nodes)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --to) TO="$2" ;;
        --from) FROM="$2" ;;
        *) PASS+=("$1" "$2") ;;
      esac
      shift 2
      ;;
    --dry-run | --allow-outage)
      PASS+=("$1")
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

[[ -n "$TO" ]] || die "--to REF is required (see --help)"
git rev-parse --git-dir >/dev/null 2>&1 || die "run from a checkout of the repository"
to_sha="$(git rev-parse --verify --quiet "$TO^{commit}" || true)"
[[ -n "$to_sha" ]] || die "'$TO' is not a commit in this repository (git fetch first?)"
from_sha="$(git rev-parse --verify --quiet "$FROM^{commit}" || true)"
[[ -n "$from_sha" ]] || die "--from '$FROM' is not a commit in this repository"
[[ "$to_sha" != "$from_sha" ]] || die "'$TO' is the release you would leave (--from $FROM): nothing to roll back"
git merge-base --is-ancestor "$to_sha" "$from_sha" ||
  die "'$TO' ($to_sha) is not an ancestor of '$FROM': that is a deploy of another line, not a rollback; use scripts/deploy-rolling.sh --ref $TO --force"

undone="$(git log --oneline "$to_sha..$from_sha")"
log "rolling back from $from_sha to $to_sha, undoing $(printf '%s\n' "$undone" | wc -l | tr -d ' ') commit(s):"
printf '%s\n' "$undone" | sed 's/^/    /' >&2
migrations="$(git diff --name-only --diff-filter=A "$to_sha" "$from_sha" -- "$MIGRATIONS_DIR")"
if [[ -n "$migrations" ]]; then
  log "WARNING: migrations added since $TO stay applied; the old release will run against them:"
  printf '%s\n' "$migrations" | sed 's/^/    /' >&2
fi

exec bash "$SCRIPT_DIR/deploy-rolling.sh" --ref "$to_sha" --force "${PASS[@]}"
