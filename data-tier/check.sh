#!/usr/bin/env bash
# The data tier's health as a checklist: one ✓/✗ line per check, run on a data node (by hand, by
# scripts/preflight-node.sh --data-node, after every runbook).
set -euo pipefail
SCRIPT_NAME="check"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=data-tier/lib.bash
source "$HERE/lib.bash"

usage() {
  cat <<'USAGE'
usage: data-tier/check.sh [--max-lag-mb N] [--max-archive-age-s N] [--max-full-age-d N]
                          [--max-restore-check-age-d N]

Run as root on a data node. Prints ✓ or ✗ per check; exit 0 when all pass, 1 when any fails:
  - the cluster has a primary (patronictl list)
  - every other member streams from it, lag at most N MB (default 16)
  - with two or more members, one is the synchronous standby (else a commit is on one node only)
  - the last WAL segment was archived less than N s ago (default 120; archive_timeout is 60) and
    no archiving failed since (pg_stat_archiver on the primary)
  - the newest full backup in the repository is less than N days old (default 8; weekly fulls)
  - the last restore check (data-tier/restore-check.sh) passed less than N days ago (default 8)
  -h, --help   this text
USAGE
}

MAX_LAG_MB=16
MAX_ARCHIVE_AGE_S=120
MAX_FULL_AGE_D=8
MAX_RESTORE_CHECK_AGE_D=8
while [[ $# -gt 0 ]]; do
  case "$1" in
    --max-lag-mb | --max-archive-age-s | --max-full-age-d | --max-restore-check-age-d)
      [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "$1 needs a whole number"
      case "$1" in
        --max-lag-mb) MAX_LAG_MB="$2" ;;
        --max-archive-age-s) MAX_ARCHIVE_AGE_S="$2" ;;
        --max-full-age-d) MAX_FULL_AGE_D="$2" ;;
        --max-restore-check-age-d) MAX_RESTORE_CHECK_AGE_D="$2" ;;
      esac
      shift 2
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
load_node_env
for tool in patronictl jq pgbackrest; do command -v "$tool" >/dev/null || die "$tool not found"; done

fails=0
pass() { printf '✓ %s\n' "$1"; }
fail() {
  printf '✗ %s\n' "$1"
  fails=$((fails + 1))
}

# --- the cluster
if members="$(cluster_members 2>/dev/null)" && [[ -n "$members" ]]; then
  leader="$(awk '$2 == "Leader" { print $1 }' <<<"$members")"
  if [[ -n "$leader" ]]; then pass "the cluster has a primary: $leader"; else fail "the cluster has a primary: none ($(tr '\n' ';' <<<"$members"))"; fi
  others="$(awk '$2 != "Leader"' <<<"$members")"
  bad="$(awk -v max="$MAX_LAG_MB" '$3 !~ /^(running|streaming)$/ || $4 !~ /^[0-9]+$/ || $4 + 0 > max' <<<"$others")"
  if [[ -z "$others" ]]; then
    pass "standbys stream with lag <= $MAX_LAG_MB MB: no standby (one data node; RPO is archive_timeout)"
  elif [[ -z "$bad" ]]; then
    pass "standbys stream with lag <= $MAX_LAG_MB MB: $(awk '{ printf "%s %s MB; ", $1, $4 }' <<<"$others")"
  else
    fail "standbys stream with lag <= $MAX_LAG_MB MB: $(tr '\n' ';' <<<"$bad")"
  fi
  if (($(wc -l <<<"$members") < 2)) || grep -q ' Sync_Standby ' <<<"$members"; then
    pass "a synchronous standby when there are two members"
  else
    fail "a synchronous standby when there are two members: none, so a commit is on the primary only ($(tr '\n' ';' <<<"$members"))"
  fi
else
  fail "the cluster has a primary: patronictl list failed (is Patroni running? systemctl status patroni)"
fi

# --- archiving, on the primary (a standby's pg_stat_archiver is its own)
if patroni_is "$PATRONI_API" /primary; then
  archiver="$(psql_ -F ' ' -c "select coalesce(extract(epoch from now() - last_archived_time)::int::text, 'never'),
    (last_failed_time is not null and (last_archived_time is null or last_failed_time > last_archived_time)),
    coalesce(last_failed_wal, '-') from pg_stat_archiver" 2>/dev/null)" || archiver=""
  read -r age failing failed_wal <<<"${archiver:-unknown f -}"
  if [[ "$age" =~ ^[0-9]+$ ]] && ((age < MAX_ARCHIVE_AGE_S)) && [[ "$failing" == "f" ]]; then
    pass "WAL archived less than $MAX_ARCHIVE_AGE_S s ago ($age s)"
  elif [[ "$failing" == "t" ]]; then
    fail "WAL archived less than $MAX_ARCHIVE_AGE_S s ago: archiving $failed_wal fails (Postgres log, /var/log/pgbackrest)"
  else
    fail "WAL archived less than $MAX_ARCHIVE_AGE_S s ago: last $age s ago"
  fi
else
  printf '· WAL archiving is checked on the primary%s\n' "${leader:+ ($leader)}"
fi

# --- the repository's newest full backup
if info="$(pgbackrest_ info --output=json 2>/dev/null)"; then
  full_stop="$(jq -r '[.[0].backup[] | select(.type == "full") | .timestamp.stop] | max // empty' <<<"$info")"
  if [[ -z "$full_stop" ]]; then
    fail "a full backup less than $MAX_FULL_AGE_D days old: the repository has none (data-tier/backup.sh --type full)"
  else
    age_d=$((($(date +%s) - full_stop) / 86400))
    if ((age_d < MAX_FULL_AGE_D)); then
      pass "a full backup less than $MAX_FULL_AGE_D days old ($(date -u -d "@$full_stop" +%Y-%m-%dT%H:%MZ))"
    else
      fail "a full backup less than $MAX_FULL_AGE_D days old: the newest is $age_d days old (systemctl status coaching-pgbackrest-backup)"
    fi
  fi
else
  fail "a full backup less than $MAX_FULL_AGE_D days old: pgbackrest info failed (the repository unreachable? /var/log/pgbackrest)"
fi

# --- the last restore check (restore-check.sh logs it in the postgres database: both nodes see it)
# (a query naming a table that does not exist fails to parse, whatever its CASE says: ask first)
if ! logged="$(PSQL_DATABASE=postgres psql_ -c "select to_regclass('public.restore_check_log') is not null" 2>/dev/null)"; then
  last_check="unknown (cannot query Postgres here)"
elif [[ "$logged" != "t" ]]; then
  last_check="none"
else
  last_check="$(PSQL_DATABASE=postgres psql_ -c "select coalesce(extract(epoch from now() - max(finished))::int::text, 'none')
    from restore_check_log" 2>/dev/null)" || last_check="unknown (cannot query Postgres here)"
fi
if [[ "$last_check" =~ ^[0-9]+$ ]] && ((last_check < MAX_RESTORE_CHECK_AGE_D * 86400)); then
  pass "a restore check passed less than $MAX_RESTORE_CHECK_AGE_D days ago ($((last_check / 3600)) h ago)"
else
  fail "a restore check passed less than $MAX_RESTORE_CHECK_AGE_D days ago: last ${last_check} (data-tier/restore-check.sh; its timer)"
fi

if ((fails == 0)); then
  printf 'all checks passed\n'
  exit 0
fi
printf '%d check(s) failed\n' "$fails"
exit 1
