# shellcheck shell=bash
# Sourced by dokku/setup-app-node.sh and data-tier/setup-data-node.sh before they enable ufw.
# Expects SSH_INTERFACE and FORCE_FIREWALL, and die().

# Enabling ufw with default deny from a session that does not come over Tailscale, or before
# tailscale0 exists, cuts the operator off. Tailscale's addresses: 100.64.0.0/10 and
# fd7a:115c:a1e0::/48 (tailscale.com/kb/1015/100.x-addresses).
is_tailscale_ip() {
  local ip="${1#::ffff:}"
  if [[ "$ip" =~ ^100\.([0-9]+)\.[0-9]+\.[0-9]+$ ]]; then
    ((BASH_REMATCH[1] >= 64 && BASH_REMATCH[1] <= 127))
    return
  fi
  [[ "${ip,,}" == fd7a:115c:a1e0:* ]]
}
firewall_precheck() {
  [[ "$FORCE_FIREWALL" == "true" ]] && return 0
  ip -o addr show dev "$SSH_INTERFACE" 2>/dev/null | grep -q ' inet' ||
    die "$SSH_INTERFACE has no address: bring Tailscale up first (tailscale up, docs/deploy.md step 1), or ufw would leave no way in. On the provider's console: --force-firewall"
  if [[ -n "${SSH_CONNECTION:-}" ]]; then
    local server_ip
    server_ip="$(awk '{print $3}' <<<"$SSH_CONNECTION")"
    is_tailscale_ip "$server_ip" ||
      die "this SSH session came in on $server_ip, not over Tailscale: enabling ufw would cut it. Reconnect with ssh root@<tailscale name> and run again (or --force-firewall from the provider's console)"
  fi
}
