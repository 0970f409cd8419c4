import { EDGE_CHECK_INTERVAL_MS } from "./edge-haproxy.ts";
import type { Topology } from "./topology.ts";

// cloudflared's /ready turns 200 once the edge has acknowledged a connection, so the real edge
// routes to it from then on (cloudflare/cloudflared metrics/readiness.go). The stand-in edge learns
// of a connector only from its next health check, up to one interval later (and later still on a
// busy machine): the drills' connector probe waits out three intervals after /ready, or draining
// the next node could leave the edge with no connector it believes in (a CI run saw 30 x 503).
const EDGE_CATCH_UP_S = ((3 * EDGE_CHECK_INTERVAL_MS) / 1000).toFixed(1);

/**
 * scripts/deploy-rolling.sh's transport for the drill topology: systemd and Dokku become curl calls
 * to the drill's control endpoint, and each node's API and connector are probed on loopback. The
 * templates are run by bash, so each node's ports come from the DRILL_NODE<N>_* variables.
 */
export function deployTransport(topology: Topology, timeouts = { readyS: 30, connectorS: 10 }): Record<string, string> {
  const { control, nodes } = topology;
  const env: Record<string, string> = {
    DEPLOY_STOP_CMD: `curl -fsS -o /dev/null --max-time 30 -X POST ${control.url}/nodes/{N}/stop`,
    DEPLOY_START_CMD: `curl -fsS -o /dev/null --max-time 30 -X POST ${control.url}/nodes/{N}/start`,
    DEPLOY_PUSH_CMD: `curl -fsS -o /dev/null --max-time 60 -X POST '${control.url}/nodes/{N}/push?ref={REF}'`,
    DEPLOY_READY_URL: "http://127.0.0.1:$DRILL_NODE{N}_API_PORT/health/ready",
    DEPLOY_VERSION_URL: "http://127.0.0.1:$DRILL_NODE{N}_API_PORT/health",
    DEPLOY_CONNECTOR_CMD: `curl -fsS -o /dev/null --max-time 2 "$DRILL_NODE{N}_CONNECTOR_CONTROL_URL/ready" && sleep ${EDGE_CATCH_UP_S}`,
    DEPLOY_ALL_NODES: nodes.map((node) => node.n).join(" "),
    DEPLOY_READY_TIMEOUT_S: String(timeouts.readyS),
    DEPLOY_CONNECTOR_TIMEOUT_S: String(timeouts.connectorS),
    DEPLOY_POLL_S: "0.2",
  };
  for (const node of nodes) {
    env[`DRILL_NODE${node.n}_API_PORT`] = String(node.api.port);
    env[`DRILL_NODE${node.n}_CONNECTOR_CONTROL_URL`] = node.connectorControlUrl;
  }
  return env;
}
