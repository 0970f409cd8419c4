#!/usr/bin/env bash
# Rolling deploy across the app nodes, one node at a time, so the tunnel always has a healthy
# connector: drain a node's cloudflared, push the new build to that node's Dokku, wait until the new
# container is ready, put the connector back, wait until the edge sees it, then the next node.
set -euo pipefail

# Steps are timed with EPOCHREALTIME, which bash has since 5.0 (bash NEWS, 5.0 "new features" d.);
# macOS ships bash 3.2, where it is unset and `set -u` would stop the script mid-deploy.
if ((BASH_VERSINFO[0] < 5)); then
  echo "deploy-rolling.sh needs bash >= 5, this is ${BASH_VERSION}." >&2
  # shellcheck disable=SC2016 # printed for the operator to paste, not expanded here
  echo 'macOS: brew install bash, then run it with that bash: "$(brew --prefix)/bin/bash" scripts/deploy-rolling.sh ...' >&2
  exit 2
fi

REF="${DEPLOY_REF:-HEAD}"
NODES="${DEPLOY_NODES:-2 1}"
ALL_NODES="${DEPLOY_ALL_NODES:-1 2}"
ALLOW_OUTAGE="false"
DRY_RUN="false"
FORCE_PUSH="false"
SKIP_CONNECTOR="false"
DEPLOY_REMOTE="${DEPLOY_REMOTE:-dokku-node-{N\}}"
DEPLOY_SSH="${DEPLOY_SSH:-ssh -o BatchMode=yes -o ConnectTimeout=10 root@app-node-{N\}}"
DEPLOY_STOP_CMD="${DEPLOY_STOP_CMD:-$DEPLOY_SSH systemctl stop tunnel-guard cloudflared}"
DEPLOY_START_CMD="${DEPLOY_START_CMD:-$DEPLOY_SSH systemctl start cloudflared tunnel-guard}"
DEPLOY_PUSH_CMD="${DEPLOY_PUSH_CMD:-git push {FORCE\}{REMOTE\} {REF\}:refs/heads/main}"
DEPLOY_READY_URL="${DEPLOY_READY_URL:-}"
DEPLOY_CONNECTOR_URL="${DEPLOY_CONNECTOR_URL:-}"
DEPLOY_READY_CMD="${DEPLOY_READY_CMD:-}"
DEPLOY_CONNECTOR_CMD="${DEPLOY_CONNECTOR_CMD:-}"
DEPLOY_VERSION_URL="${DEPLOY_VERSION_URL:-}"
DEPLOY_VERSION_CMD="${DEPLOY_VERSION_CMD:-}"
DEPLOY_READY_TIMEOUT_S="${DEPLOY_READY_TIMEOUT_S:-120}"
DEPLOY_CONNECTOR_TIMEOUT_S="${DEPLOY_CONNECTOR_TIMEOUT_S:-60}"
DEPLOY_POLL_S="${DEPLOY_POLL_S:-1}"

usage() {
  cat <<'EOF'
usage: scripts/deploy-rolling.sh [--ref REF] [--nodes "2 1"] [--all-nodes "1 2"] [--force]
                                [--skip-connector] [--allow-outage] [--dry-run]

For each node in order (default node 2, then node 1):
  0. check every other production node (--all-nodes, not only those being deployed): unless at
     least one of them is serving (API ready + connector ready), refuse to drain this one
  1. stop the node's tunnel guard and cloudflared (cloudflared drains in-flight requests)
  2. git push the ref to the node's Dokku remote (Dokku builds, runs the release phase, switches)
  3. wait for the node's /health/ready        (DEPLOY_READY_TIMEOUT_S)
     and for its /health to report the pushed commit as its version (Dokku's GIT_REV)
  4. start cloudflared and the tunnel guard
  5. wait for cloudflared's metrics /ready   (DEPLOY_CONNECTOR_TIMEOUT_S)
Any failure aborts at once with a non-zero exit: the nodes not yet touched keep serving, the failed
node's connector stays stopped (the message says how to put it back). Each step prints its timing.

options:
  --ref REF            git ref or sha to deploy (default HEAD; env DEPLOY_REF)
  --nodes "2 1"        node numbers in deploy order (env DEPLOY_NODES); "1" alone while node 2
                       is lost is refused, because draining node 1 would stop every connector
  --all-nodes "1 2"    every production node, checked before each drain (env DEPLOY_ALL_NODES)
  --force              git push --force (needed to roll back to an older sha)
  --skip-connector     no connector steps and no precheck (single-node apps such as staging)
  --allow-outage       drain even when no other node is serving: a full outage while the node
                       builds. Only for a deliberate maintenance window; says so loudly.
  --dry-run            print the exact commands in order, run nothing
  --help               this text

transport (env): every remote action is a command template; {N} is the node number, {REF} the ref,
{REMOTE} the git remote, {FORCE} "--force " or "". Replace them to run the whole flow locally.
  DEPLOY_REMOTE          dokku-node-{N}
  DEPLOY_SSH             ssh -o BatchMode=yes -o ConnectTimeout=10 root@app-node-{N}
  DEPLOY_STOP_CMD        $DEPLOY_SSH systemctl stop tunnel-guard cloudflared
  DEPLOY_START_CMD       $DEPLOY_SSH systemctl start cloudflared tunnel-guard
  DEPLOY_PUSH_CMD        git push {FORCE}{REMOTE} {REF}:refs/heads/main
  DEPLOY_READY_URL       if set, probed from here with curl (e.g. http://127.0.0.1:700{N}/health/ready)
  DEPLOY_READY_CMD       default: $DEPLOY_SSH curl -fsS -o /dev/null --max-time 2 http://localhost:3001/health/ready
  DEPLOY_CONNECTOR_URL   if set, probed from here with curl (cloudflared metrics /ready)
  DEPLOY_CONNECTOR_CMD   default: curl -fsS -o /dev/null --max-time 2 http://app-node-{N}:20241/ready
                         (cloudflared's /ready listens on the node's Tailscale address)
  DEPLOY_VERSION_URL     if set, /health fetched from here with curl
  DEPLOY_VERSION_CMD     default: $DEPLOY_SSH curl -fsS --max-time 2 http://localhost:3001/health
  DEPLOY_READY_TIMEOUT_S 120    DEPLOY_CONNECTOR_TIMEOUT_S 60    DEPLOY_POLL_S 1

The tunnel guard is stopped with cloudflared so it cannot start the connector in the middle of a
deploy; it is started again after cloudflared.
EOF
}

log() { printf '%s deploy: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "ABORTED: $*"
  exit 1
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --ref)
      [[ $# -ge 2 ]] || die "--ref needs a value"
      REF="$2"
      shift 2
      ;;
    --nodes)
      [[ $# -ge 2 ]] || die "--nodes needs a value"
      NODES="$2"
      shift 2
      ;;
    --all-nodes)
      [[ $# -ge 2 ]] || die "--all-nodes needs a value"
      ALL_NODES="$2"
      shift 2
      ;;
    --allow-outage)
      ALLOW_OUTAGE="true"
      shift
      ;;
    --force)
      FORCE_PUSH="true"
      shift
      ;;
    --skip-connector)
      SKIP_CONNECTOR="true"
      shift
      ;;
    --dry-run)
      DRY_RUN="true"
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

read -r -a NODE_LIST <<<"$NODES"
read -r -a ALL_NODE_LIST <<<"$ALL_NODES"
[[ ${#NODE_LIST[@]} -gt 0 ]] || die "no nodes given"
for n in "${NODE_LIST[@]}" "${ALL_NODE_LIST[@]}"; do [[ "$n" =~ ^[0-9]+$ ]] || die "node '$n' is not a number"; done
if [[ "$SKIP_CONNECTOR" == "false" ]]; then
  for n in "${NODE_LIST[@]}"; do
    [[ " ${ALL_NODE_LIST[*]} " == *" $n "* ]] || die "node $n is not in --all-nodes '${ALL_NODES}'"
  done
fi
[[ -n "$REF" ]] || die "empty --ref"
if [[ "$DRY_RUN" == "false" && "$REF" != *"{"* ]]; then
  # Resolve once so every node gets the same commit even if the branch moves meanwhile.
  resolved="$(git rev-parse --verify --quiet "$REF^{commit}" 2>/dev/null || true)"
  [[ -n "$resolved" ]] || die "'$REF' is not a commit in this repository"
  REF="$resolved"
fi

ms_now() {
  local us="${EPOCHREALTIME/[.,]/}"
  echo $((us / 1000))
}
fmt_s() { printf '%d.%01d s' $(($1 / 1000)) $((($1 % 1000) / 100)); }

# Fills the {N}/{REF}/{REMOTE}/{FORCE} placeholders of a command template for node $2.
render() {
  local tpl="$1" node="$2" remote force=""
  remote="${DEPLOY_REMOTE//\{N\}/$node}"
  [[ "$FORCE_PUSH" == "true" ]] && force="--force "
  tpl="${tpl//\{N\}/$node}"
  tpl="${tpl//\{REF\}/$REF}"
  tpl="${tpl//\{REMOTE\}/$remote}"
  tpl="${tpl//\{FORCE\}/$force}"
  printf '%s' "$tpl"
}

ready_cmd() {
  if [[ -n "$DEPLOY_READY_URL" ]]; then
    render "curl -fsS -o /dev/null --max-time 2 $DEPLOY_READY_URL" "$1"
  else
    render "${DEPLOY_READY_CMD:-$DEPLOY_SSH curl -fsS -o /dev/null --max-time 2 http://localhost:3001/health/ready}" "$1"
  fi
}
connector_cmd() {
  if [[ -n "$DEPLOY_CONNECTOR_URL" ]]; then
    render "curl -fsS -o /dev/null --max-time 2 $DEPLOY_CONNECTOR_URL" "$1"
  else
    render "${DEPLOY_CONNECTOR_CMD:-curl -fsS -o /dev/null --max-time 2 http://app-node-{N\}:20241/ready}" "$1"
  fi
}

# /health's version must be the pushed commit: the container that answers is the new release.
version_cmd() {
  local fetch
  if [[ -n "$DEPLOY_VERSION_URL" ]]; then
    fetch="$(render "curl -fsS --max-time 2 $DEPLOY_VERSION_URL" "$1")"
  else
    fetch="$(render "${DEPLOY_VERSION_CMD:-$DEPLOY_SSH curl -fsS --max-time 2 http://localhost:3001/health}" "$1")"
  fi
  printf '%s | grep -Fq %q' "$fetch" "\"version\":\"$REF\""
}

# Runs one step: prints it, runs it (unless --dry-run), prints its duration; aborts on failure.
step() {
  local node="$1" what="$2" cmd="$3" started
  if [[ "$DRY_RUN" == "true" ]]; then
    printf '[node %s] %s: %s\n' "$node" "$what" "$cmd"
    return 0
  fi
  log "[node $node] $what: $cmd"
  started="$(ms_now)"
  local status=0
  bash -c "$cmd" >&2 || status=$?
  local took=$(($(ms_now) - started))
  [[ "$status" -eq 0 ]] || die "[node $node] $what failed (exit $status after $(fmt_s "$took")): $cmd$(hint "$node")"
  log "[node $node] $what: ok ($(fmt_s "$took"))"
}

# Runs a check once: prints it, returns its status (no abort).
check() {
  local node="$1" what="$2" cmd="$3"
  log "[node $node] $what: $cmd"
  if bash -c "$cmd" >/dev/null 2>&1; then
    log "[node $node] $what: ok"
    return 0
  fi
  log "[node $node] $what: FAILED"
  return 1
}

# Before draining node $1: some other production node must be serving, or the tunnel would be left
# without a connector for the whole build. Every node of --all-nodes is checked, so `--nodes 1`
# while node 2 is down is refused instead of taking the last connector away.
precheck_others() {
  local node="$1" other serving=() down=()
  for other in "${ALL_NODE_LIST[@]}"; do
    [[ "$other" == "$node" ]] && continue
    if [[ "$DRY_RUN" == "true" ]]; then
      printf '[node %s] precheck api: %s\n' "$other" "$(ready_cmd "$other")"
      printf '[node %s] precheck connector: %s\n' "$other" "$(connector_cmd "$other")"
    elif check "$other" "precheck api" "$(ready_cmd "$other")" &&
      check "$other" "precheck connector" "$(connector_cmd "$other")"; then
      serving+=("$other")
    else
      down+=("$other")
    fi
  done
  [[ "$DRY_RUN" == "true" ]] && return 0
  if [[ ${#serving[@]} -gt 0 ]]; then
    [[ ${#down[@]} -eq 0 ]] || log "[node $node] warning: node(s) ${down[*]} not serving; node(s) ${serving[*]} carry the traffic"
    return 0
  fi
  local others="${down[*]:-none}"
  if [[ "$ALLOW_OUTAGE" == "true" ]]; then
    log "!!! [node $node] no other production node is serving (checked: $others)."
    log "!!! --allow-outage: draining node $node anyway. THE API IS DOWN until its connector is back."
    return 0
  fi
  die "[node $node] refusing to drain: no other production node is serving (checked: $others). Draining node $node would leave the tunnel without a connector: a full outage. Bring another node back first (runbooks/node-lost.md), or pass --allow-outage for a deliberate maintenance window."
}

# Polls a check until it passes or the timeout runs out.
wait_for() {
  local node="$1" what="$2" cmd="$3" timeout_s="$4" started deadline
  if [[ "$DRY_RUN" == "true" ]]; then
    printf '[node %s] %s: until %s (timeout %ss)\n' "$node" "$what" "$cmd" "$timeout_s"
    return 0
  fi
  log "[node $node] $what: polling '$cmd' (timeout ${timeout_s}s)"
  started="$(ms_now)"
  deadline=$((started + timeout_s * 1000))
  until bash -c "$cmd" >/dev/null 2>&1; do
    (($(ms_now) < deadline)) || die "[node $node] $what: not ready after ${timeout_s}s: $cmd$(hint "$node")"
    sleep "$DEPLOY_POLL_S"
  done
  log "[node $node] $what: ok ($(fmt_s $(($(ms_now) - started))))"
}

touched=""
hint() {
  local untouched=""
  for n in "${NODE_LIST[@]}"; do [[ " $touched " == *" $n "* ]] || untouched+=" $n"; done
  printf '\n  node %s: connector left stopped; once its API is healthy put it back with: %s' \
    "$1" "$(render "$DEPLOY_START_CMD" "$1")"
  [[ -n "$untouched" ]] && printf '\n  untouched node(s)%s still serve the previous release' "$untouched"
  return 0
}

total_started="$(ms_now)"
[[ "$DRY_RUN" == "true" ]] || log "deploying $REF to node(s) ${NODE_LIST[*]}"
for node in "${NODE_LIST[@]}"; do
  touched+=" $node "
  if [[ "$SKIP_CONNECTOR" == "false" ]]; then
    precheck_others "$node"
    step "$node" "stop connector" "$(render "$DEPLOY_STOP_CMD" "$node")"
  fi
  step "$node" "push" "$(render "$DEPLOY_PUSH_CMD" "$node")"
  wait_for "$node" "api ready" "$(ready_cmd "$node")" "$DEPLOY_READY_TIMEOUT_S"
  # APP_VERSION in the app's config overrides GIT_REV (docs/configuration.md): leave it unset.
  wait_for "$node" "version" "$(version_cmd "$node")" "$DEPLOY_READY_TIMEOUT_S"
  if [[ "$SKIP_CONNECTOR" == "false" ]]; then
    step "$node" "start connector" "$(render "$DEPLOY_START_CMD" "$node")"
    wait_for "$node" "connector ready" "$(connector_cmd "$node")" "$DEPLOY_CONNECTOR_TIMEOUT_S"
  fi
done
[[ "$DRY_RUN" == "true" ]] || log "done: $REF on node(s) ${NODE_LIST[*]} in $(fmt_s $(($(ms_now) - total_started)))"
