#!/usr/bin/env bash
# The pre-deployment checklist of an app node (or, with --data-node, a data node), as code: run it
# on the node (as root) after docs/deploy.md's steps and after any change to the node. Prints one
# ✓/✗ line per check.
set -euo pipefail

ROOT_DIR="/"
MAX_CRON_AGE_H="${MAX_CRON_AGE_H:-26}"
SSH_INTERFACE="${SSH_INTERFACE:-tailscale0}"
DATA_NODE="false"
# data-tier/check.sh beside this script's directory; the tests point it at a stand-in.
DATA_TIER_CHECK="${DATA_TIER_CHECK:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/data-tier/check.sh}"

usage() {
  cat <<'EOF'
usage: scripts/preflight-node.sh [--data-node] [--root DIR] [--max-cron-age-h N] [--help]

Checks this app node (a data node with --data-node) and prints ✓ or ✗ per check; exit 0 when all
pass, 1 when any fails:
  - ufw is active and denies incoming by default
  - SSH (22) is allowed only on tailscale0
  - nothing listens on a public address: TCP listeners on loopback, Tailscale (100.64.0.0/10,
    fd7a:115c:a1e0::/48) and private (RFC 1918) addresses only; a wildcard (0.0.0.0, [::], *) counts
    as public, except sshd's port 22 while ufw allows 22 on tailscale0 only. Dokku's nginx must be on
    loopback (dokku/setup-app-node.sh sets bind-address-ipv4/ipv6)
  - unattended upgrades are enabled (apt-config: APT::Periodic::Update-Package-Lists and
    Unattended-Upgrade are "1")
  - cloudflared, tunnel-guard and coaching-heartbeat.timer are active (a data node: patroni,
    coaching-pgbackrest-backup.timer, coaching-pg-heartbeat.timer, coaching-restore-check.timer,
    and etcd where /etc/default/etcd says this node is a member)
  - credential and env files are mode 600: /etc/cloudflared/*.json (at least one),
    /etc/default/tunnel-guard, /etc/default/coaching-heartbeat, Dokku's /home/dokku/*/ENV (a data
    node: /etc/patroni/config.yml, /etc/pgbackrest/pgbackrest.conf, /etc/default/coaching-data-tier,
    /etc/default/etcd)
  - every cron job in /etc/cron.d/coaching-app-* succeeded within the last N hours: its success
    marker /var/lib/coaching-app/<job>.ok (touched by the job's cron line on success) is fresh
  - a data node: then everything data-tier/check.sh checks (the cluster has a primary, standbys
    stream, WAL archived < 2 min ago, a full backup < 8 days old, a restore check < 8 days ago)
Tailscale's own firewall chain accepts everything arriving on tailscale0 whatever ufw says
(tailscale util/linuxfw): access over the tailnet is limited by Tailscale ACLs, not by ufw.

options:
  --data-node         check a data node (data-tier/setup-data-node.sh) instead of an app node
  --root DIR          where the files are read (default /; the tests use a prepared tree)
  --max-cron-age-h N  how old a cron job's last success may be (default 26: a daily job + slack)
  --help              this text
Reads ufw, ss, systemctl and apt-config from PATH.
EOF
}

fails=0
pass() { printf '✓ %s\n' "$1"; }
fail() {
  printf '✗ %s\n' "$1"
  fails=$((fails + 1))
}
die() {
  printf 'preflight-node: %s\n' "$*" >&2
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --root)
      [[ $# -ge 2 ]] || die "--root needs a value"
      ROOT_DIR="$2"
      shift 2
      ;;
    --max-cron-age-h)
      [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "--max-cron-age-h needs a whole number of hours"
      MAX_CRON_AGE_H="$2"
      shift 2
      ;;
    --data-node) DATA_NODE="true" && shift ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
ROOT_DIR="${ROOT_DIR%/}"
if [[ "$DATA_NODE" == "true" ]]; then
  default_units="patroni coaching-pgbackrest-backup.timer coaching-pg-heartbeat.timer coaching-restore-check.timer"
  [[ ! -e "$ROOT_DIR/etc/default/etcd" ]] || default_units="etcd $default_units"
else
  default_units="cloudflared tunnel-guard coaching-heartbeat.timer"
fi
UNITS="${PREFLIGHT_UNITS:-$default_units}"
for tool in ufw ss systemctl apt-config; do command -v "$tool" >/dev/null || die "$tool not found"; done

# --- firewall
ufw_status="$(ufw status verbose 2>&1 || true)"
if grep -q '^Status: active' <<<"$ufw_status" && grep -q 'Default: deny (incoming)' <<<"$ufw_status"; then
  pass "ufw active, incoming denied by default"
else
  fail "ufw active, incoming denied by default: $(head -1 <<<"$ufw_status")"
fi
# Rules whose target is port 22 (22, 22/tcp, OpenSSH), and which interface each is for.
ssh_rules="$(grep -E '^(22(/tcp)?|OpenSSH)( |$)' <<<"$ufw_status" || true)"
ssh_on_tailscale_only="false"
if [[ -n "$ssh_rules" ]] && ! grep -qv " on $SSH_INTERFACE" <<<"$ssh_rules"; then
  ssh_on_tailscale_only="true"
  pass "SSH allowed only on $SSH_INTERFACE"
else
  fail "SSH allowed only on $SSH_INTERFACE: ufw rules for 22: $(tr '\n' ';' <<<"${ssh_rules:-none}")"
fi

# --- listeners. Local Address:Port of `ss -H -ltn`: 127.0.0.1:3001, [::1]:3001, *:80, 0.0.0.0:22,
# [::]:22, 127.0.0.53%lo:53, [fe80::1%eth0]:22.
is_private() {
  local ip="$1"
  case "$ip" in
    127.* | ::1 | 10.* | 192.168.*) return 0 ;;
    172.*)
      local second="${ip#172.}"
      second="${second%%.*}"
      ((second >= 16 && second <= 31))
      return
      ;;
    100.*)
      local second="${ip#100.}"
      second="${second%%.*}"
      ((second >= 64 && second <= 127))
      return
      ;;
  esac
  [[ "${ip,,}" == fd7a:115c:a1e0:* ]]
}
public=()
while read -r _ _ _ local_address _; do
  [[ -n "${local_address:-}" ]] || continue
  port="${local_address##*:}"
  address="${local_address%:*}"
  address="${address#[}"
  address="${address%]}"
  address="${address%%\%*}"
  if [[ "$address" == "0.0.0.0" || "$address" == "::" || "$address" == "*" ]]; then
    [[ "$port" == 22 && "$ssh_on_tailscale_only" == "true" ]] && continue
    public+=("$local_address")
  elif ! is_private "$address"; then
    public+=("$local_address")
  fi
done < <(ss -H -ltn 2>/dev/null)
if [[ ${#public[@]} -eq 0 ]]; then
  pass "nothing listens on a public address"
else
  fail "nothing listens on a public address: ${public[*]}"
fi

# --- unattended upgrades
periodic="$(apt-config dump 2>/dev/null || true)"
if grep -q '^APT::Periodic::Unattended-Upgrade "1";' <<<"$periodic" &&
  grep -q '^APT::Periodic::Update-Package-Lists "1";' <<<"$periodic"; then
  pass "unattended upgrades enabled"
else
  fail "unattended upgrades enabled: APT::Periodic::Unattended-Upgrade / Update-Package-Lists are not \"1\" (dokku/setup-app-node.sh and data-tier/setup-data-node.sh write them)"
fi

# --- services
for unit in $UNITS; do
  state="$(systemctl is-active "$unit" 2>/dev/null || true)"
  if [[ "$state" == "active" ]]; then pass "$unit active"; else fail "$unit active: ${state:-unknown}"; fi
done

# --- secrets at rest
shopt -s nullglob
if [[ "$DATA_NODE" == "true" ]]; then
  secret_files=("$ROOT_DIR"/etc/patroni/config.yml "$ROOT_DIR"/etc/pgbackrest/pgbackrest.conf
    "$ROOT_DIR"/etc/default/coaching-data-tier)
  for file in "${secret_files[@]}"; do
    [[ -e "$file" ]] || fail "data tier configuration present: no ${file#"$ROOT_DIR"} (data-tier/setup-data-node.sh writes it)"
  done
  secret_files+=("$ROOT_DIR"/etc/default/etcd)
else
  credentials=("$ROOT_DIR"/etc/cloudflared/*.json)
  [[ ${#credentials[@]} -gt 0 ]] || fail "tunnel credentials present: none in /etc/cloudflared"
  secret_files=("${credentials[@]}" "$ROOT_DIR"/etc/default/tunnel-guard "$ROOT_DIR"/etc/default/coaching-heartbeat
    "$ROOT_DIR"/home/dokku/*/ENV)
fi
loose=()
for file in "${secret_files[@]}"; do
  [[ -e "$file" ]] || continue
  mode="$(stat -c %a "$file")"
  [[ "$mode" == 600 || "$mode" == 400 ]] || loose+=("${file#"$ROOT_DIR"} ($mode)")
done
if [[ ${#loose[@]} -eq 0 ]]; then
  pass "credential and env files are mode 600"
else
  fail "credential and env files are mode 600: ${loose[*]}"
fi

# --- cron jobs and their last success
now="$(date +%s)"
jobs=("$ROOT_DIR"/etc/cron.d/coaching-app-*)
if [[ ${#jobs[@]} -eq 0 ]]; then
  fail "cron jobs installed: no /etc/cron.d/coaching-app-* (docs/deploy.md: backups and assets:gc)"
fi
for job in "${jobs[@]}"; do
  name="${job##*/coaching-app-}"
  marker="$ROOT_DIR/var/lib/coaching-app/$name.ok"
  if [[ ! -e "$marker" ]]; then
    fail "cron $name succeeded in the last ${MAX_CRON_AGE_H} h: never ($marker missing)"
    continue
  fi
  age_h=$(((now - $(stat -c %Y "$marker")) / 3600))
  if ((age_h < MAX_CRON_AGE_H)); then
    pass "cron $name succeeded in the last ${MAX_CRON_AGE_H} h (${age_h} h ago)"
  else
    fail "cron $name succeeded in the last ${MAX_CRON_AGE_H} h: last success ${age_h} h ago"
  fi
done

# --- the data tier itself (its own ✓/✗ lines)
if [[ "$DATA_NODE" == "true" ]]; then
  [[ -x "$DATA_TIER_CHECK" ]] || die "$DATA_TIER_CHECK not found (run this from the repository's checkout)"
  tier_output="$("$DATA_TIER_CHECK" 2>&1)" || true
  grep -E '^[✓✗·] ' <<<"$tier_output" || true
  tier_fails="$(grep -c '^✗ ' <<<"$tier_output" || true)"
  if ! grep -qE '^(all checks passed|[0-9]+ check\(s\) failed)$' <<<"$tier_output"; then
    fail "data-tier/check.sh ran: $(tail -n 1 <<<"$tier_output")"
  fi
  fails=$((fails + tier_fails))
fi

if [[ "$fails" -eq 0 ]]; then
  printf 'all checks passed\n'
  exit 0
fi
printf '%d check(s) failed\n' "$fails"
exit 1
