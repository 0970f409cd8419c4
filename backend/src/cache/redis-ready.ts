import type { Redis } from "ioredis";

const READY_WAIT_MS = 300;
const everReady = new WeakSet<Redis>();

/**
 * Without the offline queue, a command sent while the client is (re)connecting fails at once. A
 * fresh connection gets a moment instead, so the first requests after start-up neither miss the
 * cache nor count rate limits in the per-process fallback. Resolves immediately when ready; rejects
 * immediately once the client has been connected before (an outage, not a start-up).
 */
export function whenReady(client: Redis, waitMs = READY_WAIT_MS): Promise<void> | undefined {
  if (client.status === "ready") {
    everReady.add(client);
    return undefined;
  }
  // During an outage (after the first connection) callers fall back at once instead of waiting.
  if (everReady.has(client)) return Promise.reject(new Error(`redis unavailable (${client.status})`));
  if (client.status === "end") return Promise.reject(new Error("redis client closed"));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      reject(new Error(`redis not ready (${client.status})`));
    }, waitMs);
    const onReady = () => {
      everReady.add(client);
      clearTimeout(timer);
      resolve();
    };
    client.once("ready", onReady);
  });
}

/** Remembers that the client has connected once, so later outages fail fast. */
export function trackReadiness(client: Redis): void {
  client.on("ready", () => everReady.add(client));
}
