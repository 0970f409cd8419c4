#!/usr/bin/env bash
# The API's build steps, shared by dokku/Dockerfile and scripts/test/dockerfile-steps.test.ts so the
# image and the test that proves it can never drift apart. Run from the repository root.
set -euo pipefail

BACKEND_PACKAGE="${BACKEND_PACKAGE:-@coaching-app/backend}"

usage() {
  cat <<'EOF'
usage: dokku/build.sh <step> [args...]

The build steps of the API image, run from the repository root (the Dockerfile calls each step in
its own RUN line; the test suite calls the same steps outside Docker).

steps:
  install [pnpm flags...]   pnpm install --frozen-lockfile (extra flags, e.g. --offline, are passed on)
  build                     pnpm --filter @coaching-app/backend build  (tsc -> backend/dist)
  deploy <out-dir>          pnpm --filter @coaching-app/backend deploy --prod <out-dir> (from the lockfile)
                            a self-contained directory: package.json, dist/, production node_modules

options:
  --help                    this text

env:
  BACKEND_PACKAGE           workspace package to build (default @coaching-app/backend)
EOF
}

log() { printf '%s build: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

run() {
  log "\$ $*"
  "$@" || die "'$*' failed (exit $?)"
}

step="${1:-}"
case "$step" in
  -h | --help | help)
    usage
    exit 0
    ;;
  install)
    shift
    run pnpm install --frozen-lockfile "$@"
    ;;
  build)
    run pnpm --filter "$BACKEND_PACKAGE" build
    ;;
  deploy)
    out="${2:-}"
    [[ -n "$out" ]] || die "deploy needs an output directory (see --help)"
    # pnpm 10 deploys from the lockfile only with inject-workspace-packages=true. The --legacy path
    # re-resolves instead: it ignores the workspace overrides and put vitest (an optional peer of
    # better-auth) into the image. The backend has no workspace dependencies, so injecting changes
    # nothing else; the setting is given here only, the workspace keeps its symlinks.
    run pnpm --filter "$BACKEND_PACKAGE" --config.inject-workspace-packages=true deploy --prod "$out"
    [[ -f "$out/dist/main.js" ]] || die "$out/dist/main.js is missing: run the build step first"
    ;;
  "")
    usage >&2
    exit 2
    ;;
  *) die "unknown step '$step' (see --help)" ;;
esac
