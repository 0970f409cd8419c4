import { createServer, type IncomingMessage } from "node:http";
import type { DrillNode } from "./drill-node.ts";

/** A tunnel guard transition as posted to ALERT_WEBHOOK_URL, with the time it arrived. */
export interface Alert {
  receivedAt: number;
  event: string;
  node: string;
  reason: string;
}

export interface ControlServer {
  url: string;
  alerts: Alert[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

/**
 * Loopback endpoint standing in for each node's systemd and Dokku, so the operator scripts' command
 * templates can act on the drill's processes with curl:
 *   POST /nodes/N/stop          systemctl stop tunnel-guard cloudflared
 *   POST /nodes/N/start         systemctl start cloudflared tunnel-guard
 *   POST /nodes/N/push?ref=SHA  git push dokku-node-N: SIGTERM the API, wait for its exit, start the build
 *   GET  /nodes/N/peer-serving  200 if another node's connector is ready (cloudflared /ready of
 *                               the peers, the guard's GUARD_PEER_CMD)
 *   POST /alerts                the guard's ALERT_WEBHOOK_URL
 */
export async function startControlServer(nodes: () => DrillNode[]): Promise<ControlServer> {
  const alerts: Alert[] = [];
  const server = createServer(async (req, res) => {
    const reply = (status: number, message: string) => {
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(`${message}\n`);
    };
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (req.method === "POST" && url.pathname === "/alerts") {
        alerts.push({ receivedAt: Date.now(), ...JSON.parse(await readBody(req)) });
        return reply(204, "");
      }
      const peer = url.pathname.match(/^\/nodes\/(\d+)\/peer-serving$/);
      if (req.method === "GET" && peer) {
        for (const other of nodes()) {
          if (other.n !== Number(peer[1]) && (await other.connectorReady())) return reply(200, `${other.name} serving`);
        }
        return reply(503, "no other node serving");
      }
      const match = url.pathname.match(/^\/nodes\/(\d+)\/(stop|start|push)$/);
      const node = nodes().find((candidate) => candidate.n === Number(match?.[1]));
      if (req.method !== "POST" || !match || !node) return reply(404, `no route ${req.method} ${url.pathname}`);
      if (match[2] === "stop") await node.stopServices();
      if (match[2] === "start") await node.startServices();
      if (match[2] === "push") {
        await node.api.stop();
        await node.api.start({ APP_VERSION: url.searchParams.get("ref") ?? "unknown" });
      }
      reply(200, `${node.name} ${match[2]}: ok`);
    } catch (error) {
      reply(500, error instanceof Error ? error.message : String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("control server has no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    alerts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
