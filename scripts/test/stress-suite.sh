#!/usr/bin/env bash
# Runs the whole test suite several times in a row with stress-ng loading the CPUs beside it, as a
# shared CI machine would: a test that only passes on an idle machine fails here.
set -euo pipefail

RUNS="${STRESS_RUNS:-3}"
CPU_WORKERS="${STRESS_CPU:-2}"
LOG_DIR="${STRESS_LOG_DIR:-}"
TEST_COMMAND=(pnpm test)

usage() {
  cat <<'EOF'
usage: scripts/test/stress-suite.sh [--runs N] [--cpu N] [--log-dir DIR] [--dry-run] [--help]

Runs `pnpm test` N times in a row (default 3) while `stress-ng --cpu N` (default 2) keeps that
many CPU-bound workers running beside it, and stops at the first failing run. Prints the wall time
of each run; each run's full output goes to DIR/run-<i>.log (default: a new temp dir).

  --runs N      how many consecutive runs must pass (env STRESS_RUNS)
  --cpu N       stress-ng CPU workers (env STRESS_CPU)
  --log-dir DIR where the run logs go (env STRESS_LOG_DIR)
  --dry-run     print what would run and exit
Needs stress-ng (apt-get install stress-ng). Exit 0 when every run passed, 1 on the first failure.
EOF
}

log() { printf '[stress-suite %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() {
  log "error: $*" >&2
  exit 2
}

dry_run=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --runs) RUNS="${2:-}" && shift ;;
    --cpu) CPU_WORKERS="${2:-}" && shift ;;
    --log-dir) LOG_DIR="${2:-}" && shift ;;
    --dry-run) dry_run=1 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a whole number >= 1, got '$RUNS'"
[[ "$CPU_WORKERS" =~ ^[1-9][0-9]*$ ]] || die "--cpu must be a whole number >= 1, got '$CPU_WORKERS'"
command -v stress-ng >/dev/null || die "stress-ng is not installed (apt-get install stress-ng)"

cd "$(dirname "$0")/../.."
if [[ -n "$dry_run" ]]; then
  log "would run ${TEST_COMMAND[*]} ${RUNS} times beside stress-ng --cpu ${CPU_WORKERS}"
  exit 0
fi
LOG_DIR="${LOG_DIR:-$(mktemp -d /tmp/stress-suite.XXXXXX)}"
mkdir -p "$LOG_DIR"

stress_pid=""
stop_stress() {
  if [[ -n "$stress_pid" ]]; then
    kill "$stress_pid" 2>/dev/null || true
    wait "$stress_pid" 2>/dev/null || true
    stress_pid=""
  fi
}
trap stop_stress EXIT
trap 'stop_stress; exit 130' INT TERM

stress-ng --cpu "$CPU_WORKERS" --quiet &
stress_pid=$!
log "stress-ng --cpu ${CPU_WORKERS} running (pid ${stress_pid}); logs in ${LOG_DIR}"

total_started=$(date +%s)
for ((run = 1; run <= RUNS; run++)); do
  started=$(date +%s)
  log "run ${run}/${RUNS}: ${TEST_COMMAND[*]}"
  status=0
  "${TEST_COMMAND[@]}" >"${LOG_DIR}/run-${run}.log" 2>&1 || status=$?
  seconds=$(($(date +%s) - started))
  if [[ "$status" -ne 0 ]]; then
    log "run ${run}/${RUNS} FAILED after ${seconds} s (exit ${status}); the failures:"
    grep -E '^ FAIL |^(AssertionError|Error): |^ +(×|→) ' "${LOG_DIR}/run-${run}.log" | head -20 || true
    log "full output: ${LOG_DIR}/run-${run}.log"
    exit 1
  fi
  log "run ${run}/${RUNS} passed in ${seconds} s ($(grep -E '^ +Tests ' "${LOG_DIR}/run-${run}.log" | tr -s ' ' | paste -sd ';' -))"
done
log "${RUNS} consecutive runs passed beside stress-ng --cpu ${CPU_WORKERS} in $(($(date +%s) - total_started)) s"
