#!/usr/bin/env bash
# Installs what `pnpm test` needs beyond node_modules, on a fresh Debian or Ubuntu machine.
# `pnpm test:setup` runs it; .ci/run and the GitHub workflow run it the same way.
set -euo pipefail

NODE_MIN="22.18.0" # built-in TypeScript type stripping, which `pnpm dev` and the scripts use
PG_MAJOR=15        # the backup tests' pg_dump must match the data node's server

usage() {
  cat <<EOF
usage: pnpm test:setup [-- --dry-run] | bash scripts/test-setup.sh [--dry-run] [--help]

Checks Node.js (>= ${NODE_MIN}) and installs the system packages the test suite runs for real:
  redis-server               Redis for the API tests and drills
  postgresql-${PG_MAJOR}, client     the backup/restore tests (pg_dump must match the server)
  rclone                     the backup scripts' uploads to the S3 test server
  haproxy                    the drills' stand-in for Cloudflare's edge
  chromium                   the browser tests (skipped when CHROMIUM_PATH points at a browser)
  shellcheck, jq             the operator scripts' lint and JSON handling
  stress-ng                  the drill of two CPU-saturated nodes (and scripts/test/stress-suite.sh)
  age                        the backups' optional encryption (backup, restore and verify tests)
  systemd (systemd-analyze)  "systemd-analyze verify" of the unit files; not started, PID 1 untouched
  openssl                    self-signed certificates for the TLS edge of the live preflight test
  patroni, etcd-server,      the data-tier drills: a three-member etcd, two Patroni-managed
  etcd-client, pgbackrest    Postgres nodes and pgBackRest on loopback (data-tier/)
Packages already present are left alone; services the packages start are stopped again (the
tests start their own servers on free ports). Uses sudo when not run as root.

On Ubuntu releases without postgresql-${PG_MAJOR}, the PostgreSQL project's apt repository
(apt.postgresql.org) is added first. On macOS it prints the Homebrew command instead.

  --dry-run   print what would be installed and exit
  -h, --help  this text
EOF
}

log() { printf '[test-setup %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() {
  log "error: $*" >&2
  exit 1
}

dry_run=""
for arg in "$@"; do
  case "$arg" in
    -h | --help)
      usage
      exit 0
      ;;
    --dry-run) dry_run=1 ;;
    *) die "unknown argument '$arg' (see --help)" ;;
  esac
done

# Node.js: the version check pnpm's engines field cannot make before `node` parses a .ts file.
node_version="$(node -p 'process.versions.node' 2>/dev/null || true)"
[[ -n "$node_version" ]] || die "Node.js is not installed: install Node ${NODE_MIN} or later (24 LTS recommended)"
if [[ "$(printf '%s\n%s\n' "$NODE_MIN" "$node_version" | sort -V | head -1)" != "$NODE_MIN" ]]; then
  die "Node.js ${node_version} is too old: ${NODE_MIN} or later is needed (24 LTS recommended)"
fi
log "node ${node_version}"

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v rclone >/dev/null || missing+=(rclone)
command -v haproxy >/dev/null || missing+=(haproxy)
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v jq >/dev/null || missing+=(jq)
command -v stress-ng >/dev/null || missing+=(stress-ng)
command -v age >/dev/null || missing+=(age)
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v openssl >/dev/null || missing+=(openssl)
command -v patroni >/dev/null || missing+=(patroni)
command -v etcd >/dev/null || missing+=(etcd-server)
command -v etcdctl >/dev/null || missing+=(etcd-client)
command -v pgbackrest >/dev/null || missing+=(pgbackrest)
[[ -x "/usr/lib/postgresql/${PG_MAJOR}/bin/postgres" ]] || missing+=("postgresql-${PG_MAJOR}")
[[ -x "/usr/lib/postgresql/${PG_MAJOR}/bin/pg_dump" ]] || missing+=("postgresql-client-${PG_MAJOR}")
if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  [[ -x "$CHROMIUM_PATH" ]] || die "CHROMIUM_PATH=${CHROMIUM_PATH} is not an executable browser"
else
  command -v chromium >/dev/null || missing+=(chromium)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  log "every system package is present"
  exit 0
fi

if [[ "$(uname -s)" == "Darwin" ]]; then
  die "missing: ${missing[*]}. Install with: brew install redis rclone haproxy shellcheck jq stress-ng openssl age postgresql@${PG_MAJOR} && brew install --cask chromium (then set CHROMIUM_PATH); systemd-analyze has no macOS build: run the suite on Linux (or in CI) for the unit-file checks"
fi
command -v apt-get >/dev/null || die "missing: ${missing[*]}; this script installs them with apt-get (Debian/Ubuntu); install them with your package manager"

log "to install: ${missing[*]}"
if [[ -n "$dry_run" ]]; then
  log "dry run: nothing installed"
  exit 0
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null || die "not root and no sudo: run as root, or install: ${missing[*]}"
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

"${sudo[@]}" apt-get update -qq || die "apt-get update failed"
# Ubuntu 24.04 ships Postgres 16 only: add the PostgreSQL project's repository for ${PG_MAJOR}.
if [[ " ${missing[*]} " == *" postgresql-${PG_MAJOR} "* ]] &&
  ! apt-cache show "postgresql-${PG_MAJOR}" >/dev/null 2>&1; then
  log "postgresql-${PG_MAJOR} is not in this release's repositories: adding apt.postgresql.org"
  "${sudo[@]}" apt-get install -y -qq curl ca-certificates lsb-release >/dev/null || die "installing curl failed"
  "${sudo[@]}" install -d /usr/share/postgresql-common/pgdg
  "${sudo[@]}" curl -fsSo /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
    https://www.postgresql.org/media/keys/ACCC4CF8.asc || die "downloading the PostgreSQL apt key failed"
  echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt $(lsb_release -cs)-pgdg main" |
    "${sudo[@]}" tee /etc/apt/sources.list.d/pgdg.list >/dev/null
  "${sudo[@]}" apt-get update -qq || die "apt-get update failed after adding apt.postgresql.org"
fi
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"

# The tests start their own servers on free ports; stop what the packages started (no systemd in
# a container is fine).
if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  "${sudo[@]}" systemctl stop redis-server postgresql haproxy etcd patroni 2>/dev/null || true
fi
log "installed: ${missing[*]}"
