import { waitUntil } from "./drill-report.ts";
import type { Topology } from "./topology.ts";

/** An API's /health or /health/ready, status and JSON body. */
export async function apiHealth(port: number, path = "/health") {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Both nodes serving: APIs ready and connectors registered. Drills start and end in this state. */
export async function allServing(topology: Topology): Promise<void> {
  // A drill that failed half-way may leave an API dead (the guard then keeps its connector out) or
  // a guard stopped: restart them so each drill's verdict stands on its own.
  for (const node of topology.nodes) {
    if (!node.api.process().isRunning()) {
      console.warn(`drills: restarting api-${node.name}, left dead by an earlier drill`);
      await node.api.start();
    }
    node.startGuard();
  }
  await waitUntil(
    async () => {
      for (const node of topology.nodes) {
        if ((await apiHealth(node.api.port, "/health/ready")).status !== 200) return false;
        if (!(await node.connectorReady())) return false;
      }
      return true;
    },
    20_000,
    "both nodes serving",
  );
}
