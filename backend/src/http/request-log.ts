import type { MiddlewareHandler } from "hono";
import type { Logger } from "../logger.ts";
import type { AppBindings } from "./bindings.ts";

// An invite token in a URL is a credential: whoever reads it from the logs could accept the invite.
const INVITE_TOKEN = /(\/invites\/)[^/]+/;

/**
 * One log line per request: method, path, status, duration, request id, user id. Health checks are
 * polled every second by the tunnel guard and the edge, so they are logged at debug only and cost
 * nothing when debug is off.
 */
export function requestLog(logger: Logger): MiddlewareHandler<AppBindings> {
  const debugEnabled = logger.isLevelEnabled("debug");
  return async function requestLogMiddleware(c, next) {
    const path = c.req.path;
    const isHealth = path === "/health" || path === "/health/ready";
    if (isHealth && !debugEnabled) return next();
    const started = performance.now();
    await next();
    const line = {
      method: c.req.method,
      path: path.includes("/invites/") ? path.replace(INVITE_TOKEN, "$1[redacted]") : path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      reqId: c.get("requestId"),
      userId: c.get("userId"),
      session: c.get("sessionSource"),
    };
    if (isHealth) logger.debug(line, "request");
    else logger.info(line, "request");
  };
}
