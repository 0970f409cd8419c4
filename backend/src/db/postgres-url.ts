/**
 * Validates a Postgres connection URL the way postgres.js will read it, including the multi-host
 * form the data tier uses (`postgres://user:pw@data-node-1:5432,data-node-2:5432/app?target_session_attrs=primary`),
 * which a WHATWG URL parser rejects. Returns the problem in words, or undefined when it is usable.
 */
export function postgresUrlProblem(value: string): string | undefined {
  const scheme = /^(postgres|postgresql):\/\//.exec(value);
  if (!scheme) return "must be a postgres:// URL";
  const rest = value.slice(scheme[0].length);
  const authority = rest.split(/[/?#]/, 1)[0] ?? "";
  const hostStart = scheme[0].length + authority.lastIndexOf("@") + 1;
  const hostList = authority.slice(authority.lastIndexOf("@") + 1);
  const hosts = hostList.split(",");
  for (const host of hosts) {
    // postgres.js splits each entry on ":" (src/index.js parseOptions): a bracketed IPv6 literal
    // comes out as the host "[". A name in /etc/hosts or DNS works for every address family.
    if (host.startsWith("["))
      return `host "${host}": use a host name, not an IPv6 literal (postgres.js cannot parse one)`;
    const [name, port, extra] = host.split(":");
    if (!name || extra !== undefined) return `host "${host}" in the host list is not host or host:port`;
    if (port !== undefined && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535))
      return `host "${host}" has an invalid port`;
  }
  // postgres.js parses the rest with WHATWG URL after keeping only the first host; so do we.
  let url: URL;
  try {
    url = new URL(value.slice(0, hostStart) + (hosts[0] ?? "") + value.slice(hostStart + hostList.length));
  } catch {
    return "must be a postgres:// URL";
  }
  const attrs = url.searchParams.get("target_session_attrs");
  const known = ["read-write", "read-only", "primary", "standby", "prefer-standby"];
  if (attrs !== null && !known.includes(attrs))
    return `target_session_attrs=${attrs} is not one of ${known.join(", ")}`;
  if (hosts.length > 1 && attrs !== "primary" && attrs !== "read-write")
    return `lists ${hosts.length} hosts: add ?target_session_attrs=primary so the API always writes to the primary`;
  return undefined;
}

/**
 * What identifies the database a valid postgres:// URL reaches: its hosts (host:port, the default
 * port filled in, sorted: postgres.js tries them all) and the database name. Undefined when the
 * URL is not valid (see postgresUrlProblem).
 */
export function postgresUrlTarget(value: string): { hosts: string[]; database: string } | undefined {
  if (postgresUrlProblem(value)) return undefined;
  const rest = value.replace(/^(postgres|postgresql):\/\//, "");
  const authority = rest.split(/[/?#]/, 1)[0] ?? "";
  const hosts = authority
    .slice(authority.lastIndexOf("@") + 1)
    .split(",")
    .map((host) => (host.includes(":") ? host : `${host}:5432`))
    .sort();
  const database = decodeURIComponent(/^\/([^?#]*)/.exec(rest.slice(authority.length))?.[1] ?? "");
  return { hosts, database };
}
