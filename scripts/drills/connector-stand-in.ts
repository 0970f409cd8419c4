// Connector stand-in: plays one node's cloudflared on loopback. It forwards TCP connections from
// its listen port to the node's API port, answers 502 when the API refuses (as cloudflared does
// for a dead origin), and is stopped/started through a control endpoint (the tunnel guard's and
// the deploy script's stop/start commands curl it, where production runs `systemctl`).
//
// Presence: the edge stand-in (HAProxy) TCP-checks a separate presence port, which plays the
// tunnel registration. Stopping mirrors cloudflared's SIGTERM: unregister first (presence port
// closed, the edge stops choosing this connector), then stop accepting, then let in-flight
// connections finish for up to the grace period (cloudflared --grace-period). Closing the data
// port first would reset connections the kernel already accepted but the process had not, which
// the edge would see as a response-less failure rather than a refused connection.
//
// Run: node scripts/drills/connector-stand-in.ts (configuration in env, see below).
import { createServer as createHttpServer } from "node:http";
import { connect, createServer, type Server, type Socket } from "node:net";

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};
const NAME = env("CONNECTOR_NAME", "connector");
const LISTEN_PORT = Number(env("CONNECTOR_LISTEN_PORT"));
const PRESENCE_PORT = Number(env("CONNECTOR_PRESENCE_PORT"));
const CONTROL_PORT = Number(env("CONNECTOR_CONTROL_PORT"));
const TARGET_PORT = Number(env("CONNECTOR_TARGET_PORT"));
const GRACE_MS = Number(env("CONNECTOR_GRACE_MS", "5000"));
const UNREGISTER_MS = Number(env("CONNECTOR_UNREGISTER_MS", "500"));
const HOST = "127.0.0.1";

const BAD_GATEWAY =
  "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\ncontent-length: 24\r\nconnection: close\r\n\r\n" +
  "origin connection failed";

type State = "running" | "stopping" | "stopped" | "starting";
const UNIT_STATE: Record<State, string> = {
  running: "active",
  stopping: "deactivating",
  stopped: "inactive",
  starting: "activating",
};
let state: State = "stopped";
let data: Server | undefined;
let presence: Server | undefined;
const active = new Set<Socket>();
const counters = { forwarded: 0, badGateway: 0, forcedClosed: 0 };

const log = (message: string) => console.log(`${new Date().toISOString()} connector[${NAME}]: ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pipes one edge connection to the API; a refused or reset origin before any byte back is a 502. */
function forward(client: Socket): void {
  active.add(client);
  counters.forwarded += 1;
  const upstream = connect(TARGET_PORT, HOST);
  let answered = false;
  upstream.once("data", () => {
    answered = true;
  });
  client.pipe(upstream);
  upstream.pipe(client);
  upstream.on("error", () => {
    client.unpipe(upstream);
    if (!answered && client.writable) {
      counters.badGateway += 1;
      client.end(BAD_GATEWAY);
    } else {
      client.destroy();
    }
  });
  client.on("error", () => upstream.destroy());
  client.on("close", () => {
    active.delete(client);
    upstream.destroy();
  });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host: HOST, backlog: 511 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function start(): Promise<void> {
  if (state === "running" || state === "starting") return;
  state = "starting";
  data = createServer(forward);
  await listen(data, LISTEN_PORT);
  // Registered (visible to the edge) only once it can forward.
  presence = createServer((socket) => socket.destroy());
  await listen(presence, PRESENCE_PORT);
  state = "running";
  log(`running: ${LISTEN_PORT} -> ${TARGET_PORT} (presence ${PRESENCE_PORT})`);
}

async function stop(): Promise<{ drainedMs: number; forcedClosed: number }> {
  if (state !== "running") return { drainedMs: 0, forcedClosed: 0 };
  state = "stopping";
  const started = Date.now();
  presence?.close();
  await sleep(UNREGISTER_MS);
  data?.close();
  const deadline = Date.now() + GRACE_MS;
  while (active.size > 0 && Date.now() < deadline) await sleep(20);
  const forcedClosed = active.size;
  for (const socket of active) socket.destroy();
  counters.forcedClosed += forcedClosed;
  state = "stopped";
  const drainedMs = Date.now() - started;
  log(`stopped after ${drainedMs} ms (${forcedClosed} connection(s) cut at the grace period)`);
  return { drainedMs, forcedClosed };
}

// Serialises stop/start so two callers (guard and deploy) never interleave a transition.
let queue: Promise<unknown> = Promise.resolve();
const serial = <T>(action: () => Promise<T>): Promise<T> => {
  const next = queue.then(action, action);
  queue = next.catch(() => undefined);
  return next;
};

const control = createHttpServer((req, res) => {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const route = `${req.method} ${req.url}`;
  // cloudflared's /ready turns 503 the moment a stop begins: connections are marked unregistered
  // before the grace period (cloudflare/cloudflared metrics/readiness.go, connection/control.go).
  if (route === "GET /ready") return reply(state === "running" ? 200 : 503, { state });
  // What `systemctl is-active cloudflared` prints for this state (the guard's GUARD_STATE_CMD).
  if (route === "GET /state") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`${UNIT_STATE[state]}\n`);
    return;
  }
  if (route === "GET /stats") return reply(200, { state, active: active.size, ...counters });
  if (route === "POST /stop") {
    serial(stop).then(
      (result) => reply(200, { state, ...result }),
      (error: Error) => reply(500, { error: error.message }),
    );
    return;
  }
  if (route === "POST /start") {
    serial(start).then(
      () => reply(200, { state }),
      (error: Error) => reply(500, { error: error.message }),
    );
    return;
  }
  reply(404, { error: `no route ${route}` });
});

process.once("SIGTERM", () => {
  void serial(stop).then(() => process.exit(0));
});

await listen(control as unknown as Server, CONTROL_PORT);
await start();
