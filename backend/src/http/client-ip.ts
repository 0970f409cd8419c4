import { isIPv6 } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { MiddlewareHandler } from "hono";
import type { AppBindings } from "./bindings.ts";
import { requestHeaders } from "./request-headers.ts";

/**
 * Decides the client IP once per request. Behind Cloudflare Tunnel every request comes from
 * cloudflared on localhost, so `CF-Connecting-IP` is used — but only when TRUST_PROXY=cloudflare
 * (the app node is reachable only through the tunnel); otherwise anyone could choose their IP and
 * dodge the limits. Without a usable address the request gets its own bucket (never one shared
 * "unknown" bucket that lets one abuser lock everybody out).
 */
export function clientIp(trustProxy: "none" | "cloudflare"): MiddlewareHandler<AppBindings> {
  return async function clientIpMiddleware(c, next) {
    let ip: string | undefined;
    if (trustProxy === "cloudflare") ip = requestHeaders(c)("cf-connecting-ip")?.trim() || undefined;
    if (!ip) {
      try {
        ip = getConnInfo(c).remote.address;
      } catch {
        ip = undefined;
      }
    }
    const address = ip ?? `unknown:${c.get("requestId")}`;
    c.set("clientIp", address);
    c.set("clientKey", rateLimitKey(address));
    await next();
  };
}

/**
 * The bucket a client's requests are counted in: an IPv4 address, or an IPv6 address's /64. One
 * subscriber usually holds a whole /64 (RFC 6177), so keying by address would give them 2^64
 * buckets to rotate through.
 */
export function rateLimitKey(address: string): string {
  if (address.startsWith("::ffff:") && address.includes(".")) return address.slice(7);
  if (!isIPv6(address)) return address;
  const [head = "", tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group || "0", 16).toString(16))
    .join(":")}::/64`;
}
