import { Hono } from "hono";
import type { AppBindings } from "../../http/bindings.ts";

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
 * and must say only whether this process is serving. `/health/ready` checks Postgres and Redis.
 */
export function healthRoutes(version: string) {
  const okBody = JSON.stringify({ status: "ok", version });
  const drainingBody = JSON.stringify({ status: "draining" });
  return new Hono<AppBindings>()
    .get("/health", (c) => {
      const draining = c.get("deps").lifecycle.draining;
      c.header("Cache-Control", "no-store");
      c.header("Content-Type", "application/json");
      return c.body(draining ? drainingBody : okBody, draining ? 503 : 200);
    })
    .get("/health/ready", async (c) => {
      const { sql, kv, lifecycle } = c.get("deps");
      const [postgres, redis] = await Promise.all([check(() => sql`select 1`), check(() => kv.ping())]);
      const ready = postgres === "ok" && redis === "ok" && !lifecycle.draining;
      c.header("Cache-Control", "no-store");
      return c.json(
        { status: ready ? "ready" : "unavailable", checks: { postgres, redis, store: kv.kind } },
        ready ? 200 : 503,
      );
    });
}
