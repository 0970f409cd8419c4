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
    c.set("clientIp", ip ?? `unknown:${c.get("requestId")}`);
    await next();
  };
}
