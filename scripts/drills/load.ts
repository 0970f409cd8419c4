import autocannon, { type AutocannonInstance } from "autocannon";
import { CONNECTOR_HEADER } from "./edge-haproxy.ts";

/** One request of the load: built fresh for every request (distinct client IPs, bodies). */
export interface LoadRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Returned with the response, e.g. the email a sign-up used. */
  tag?: string;
}

export interface LoadOptions {
  /** The edge's base URL. */
  url: string;
  /** Requests per second over all connections. */
  rate: number;
  /** Hard upper bound of the run. */
  maxDurationMs: number;
  next(): LoadRequest;
  /** Ends the run early, `tailMs` after this settles. */
  until?: Promise<unknown>;
  tailMs?: number;
  /** A request without an answer after this long counts as failed (a hang). */
  timeoutS?: number;
}

/** A completed request: `status` 0 means no response (connection error or timeout). */
export interface Sample {
  at: number;
  status: number;
  latencyMs: number;
  connector: string | undefined;
  tag: string | undefined;
  /** Start of the response body of a non-2xx answer, or the error of an unanswered request. */
  error?: string;
}

// autocannon paces `overallRate` per second and per connection: each connection sends its share
// in a burst at the start of every second. Several instances started a fraction of a second
// apart spread those bursts, so failures are timed to ~1/SLOTS s instead of to the second.
const SLOTS = 5;
const CONNECTIONS_PER_SLOT = 4;

/** Runs autocannon at a fixed rate against the edge and records every request's outcome. */
export async function runLoad(options: LoadOptions): Promise<Sample[]> {
  const samples: Sample[] = [];
  const instances: AutocannonInstance[] = [];
  const durationS = Math.ceil(options.maxDurationMs / 1000);
  const perSlot = Math.max(1, Math.round(options.rate / SLOTS));
  const finished: Promise<void>[] = [];
  let stopped = false;

  const startSlot = () => {
    let done: () => void = () => undefined;
    finished.push(
      new Promise((resolve) => {
        done = resolve;
      }),
    );
    const instance = autocannon(
      {
        url: options.url,
        connections: Math.min(CONNECTIONS_PER_SLOT, perSlot),
        overallRate: perSlot,
        duration: durationS,
        timeout: options.timeoutS ?? 10,
        requests: [
          {
            setupRequest: (request, context) => {
              const spec = options.next();
              context.tag = spec.tag;
              context.sentAt = performance.now();
              return { ...request, method: spec.method, path: spec.path, headers: spec.headers, body: spec.body ?? "" };
            },
            onResponse: (status, body, context, headers) => {
              const connector = headers[CONNECTOR_HEADER];
              samples.push({
                at: Date.now(),
                status,
                latencyMs: performance.now() - Number(context.sentAt),
                connector: Array.isArray(connector) ? connector[0] : connector,
                tag: typeof context.tag === "string" ? context.tag : undefined,
                ...(status >= 300 ? { error: String(body ?? "").slice(0, 200) } : {}),
              });
            },
          },
        ],
      },
      () => done(),
    );
    instance.on("reqError", (error: Error) => {
      samples.push({
        at: Date.now(),
        status: 0,
        latencyMs: 0,
        connector: undefined,
        tag: undefined,
        error: error.message,
      });
    });
    instances.push(instance);
  };

  const timers: NodeJS.Timeout[] = [];
  for (let slot = 0; slot < SLOTS; slot++) timers.push(setTimeout(startSlot, (slot * 1000) / SLOTS));
  const stopAll = () => {
    if (stopped) return;
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    for (const instance of instances) instance.stop();
  };
  const hardStop = setTimeout(stopAll, options.maxDurationMs + 1000);
  options.until?.then(
    () => setTimeout(stopAll, options.tailMs ?? 0),
    () => stopAll(),
  );
  // Every slot starts within the first second; wait until they all exist, then until they end.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await Promise.all(finished);
  clearTimeout(hardStop);
  stopped = true;
  return samples.sort((a, b) => a.at - b.at);
}
