import { Hono } from "hono";
import type { Deps } from "../../deps.ts";
import type { AppBindings } from "../../http/bindings.ts";
import type { ResponseHeaderBuilder } from "../../http/response-headers.ts";

const READY_TIMEOUT_MS = 1000;

type CheckStatus = "ok" | "down";

async function check(probe: () => Promise<unknown>): Promise<CheckStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), READY_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return "ok";
  } catch {
    return "down";
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/health` does no I/O: it is polled every second by the tunnel guard, HAProxy and deploy scripts,
 * and must say only whether this process is serving. `/health/ready` checks the database.
 */
export function healthRoutes(deps: Pick<Deps, "config" | "lifecycle" | "logger">, buildHeaders: ResponseHeaderBuilder) {
  const okBody = JSON.stringify({ status: "ok", version: deps.config.version });
  const drainingBody = JSON.stringify({ status: "draining" });
  const debug = deps.logger.isLevelEnabled("debug");
  // Mounted ahead of every middleware and answered with one plain header object, which keeps
  // @hono/node-server on its fastest path: this route is polled every second per node, and its
  // throughput against a bare node:http server is a budget.
  return new Hono<AppBindings>().get("/health", (c) => {
    const draining = deps.lifecycle.draining;
    const { requestId, headers } = buildHeaders(c);
    headers["content-type"] = "application/json";
    headers["cache-control"] = "no-store";
    if (debug) deps.logger.debug({ path: "/health", status: draining ? 503 : 200, reqId: requestId }, "request");
    return new Response(draining ? drainingBody : okBody, { status: draining ? 503 : 200, headers });
  });
}

/**
 * `/health/ready`: the primary answers within a second (DATABASE_URL's target_session_attrs=primary
 * picks it among the data nodes). Redis is reported, not required: the API serves without it
 * (sessions from Postgres, limits per process), and Dokku's start-up check runs this route, so
 * requiring Redis would block every deploy and rollback while Redis is down.
 */
export function readinessRoutes() {
  return new Hono<AppBindings>().get("/health/ready", async (c) => {
    const { sql, kv, lifecycle } = c.get("deps");
    const [postgres, redis] = await Promise.all([check(() => sql`select 1`), check(() => kv.ping())]);
    const ready = postgres === "ok" && !lifecycle.draining;
    c.header("Cache-Control", "no-store");
    return c.json(
      { status: ready ? "ready" : "unavailable", checks: { postgres, redis, store: kv.kind } },
      ready ? 200 : 503,
    );
  });
}
