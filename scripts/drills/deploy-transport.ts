import type { Topology } from "./topology.ts";

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
    DEPLOY_CONNECTOR_URL: "$DRILL_NODE{N}_CONNECTOR_CONTROL_URL/ready",
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
