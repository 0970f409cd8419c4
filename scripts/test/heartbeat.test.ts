import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../lib/free-port.ts";
import { listen, readBody, runScript } from "./support/script-runner.ts";

const HEARTBEAT = "dokku/heartbeat.sh";

describe("dokku/heartbeat.sh", () => {
  let monitor: Awaited<ReturnType<typeof listen>>;
  let api: Awaited<ReturnType<typeof listen>>;
  let pings: { path: string; body: string }[];
  let apiStatus: number;

  beforeEach(async () => {
    pings = [];
    apiStatus = 200;
    // A healthchecks.io-compatible check: / is a ping, /fail a failure, the body the ping's log.
    monitor = await listen(async (req, res) => {
      pings.push({ path: req.url ?? "", body: await readBody(req) });
      res.end("OK");
    });
    api = await listen((_req, res) => {
      res.writeHead(apiStatus);
      res.end();
    });
  });

  afterEach(async () => {
    await monitor.close();
    await api.close();
  });

  const run = (units: Record<string, string>, env: Record<string, string> = {}) =>
    runScript(HEARTBEAT, [], {
      env: {
        HEARTBEAT_URL: `http://127.0.0.1:${monitor.port}/ping/abc`,
        HEARTBEAT_API_URL: `http://127.0.0.1:${api.port}/health`,
        HEARTBEAT_UNITS: Object.keys(units).join(" "),
        // What `systemctl is-active <unit>` would print, per unit.
        HEARTBEAT_STATE_CMD: `case {UNIT} in ${Object.entries(units)
          .map(([unit, state]) => `${unit}) echo ${state} ;;`)
          .join(" ")} esac`,
        HEARTBEAT_NODE_NAME: "app-node-1",
        ...env,
      },
    });

  it("pings with the node's state when the API, the connector and the guard are up", async () => {
    const result = await run({ cloudflared: "active", "tunnel-guard": "active" });
    expect(result.code, result.stderr).toBe(0);
    expect(pings).toEqual([
      { path: "/ping/abc", body: "app-node-1 ok: api 200, cloudflared=active tunnel-guard=active" },
    ]);
  });

  it("pings /fail naming what is wrong: the API down, the connector stopped", async () => {
    apiStatus = 503;
    const result = await run({ cloudflared: "inactive", "tunnel-guard": "active" });
    expect(result.code, result.stderr).toBe(0);
    expect(pings).toEqual([
      {
        path: "/ping/abc/fail",
        body: `app-node-1 FAIL: api 503 at http://127.0.0.1:${api.port}/health;cloudflared inactive (cloudflared=inactive tunnel-guard=active)`,
      },
    ]);
  });

  it("exits 1 when the ping cannot be delivered, and refuses a missing URL", async () => {
    const dead = await run({ cloudflared: "active" }, { HEARTBEAT_URL: `http://127.0.0.1:${await freePort()}/x` });
    expect(dead.code).toBe(1);
    expect(dead.stderr).toContain("ping to the monitoring service failed");
    const unset = await run({ cloudflared: "active" }, { HEARTBEAT_URL: "" });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain("HEARTBEAT_URL must be the check's http(s) ping URL");
  });
});
