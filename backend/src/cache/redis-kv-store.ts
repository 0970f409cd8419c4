import { Redis } from "ioredis";
import type { Logger } from "../logger.ts";
import type { KvStore } from "./kv-store.ts";
import { trackReadiness, whenReady } from "./redis-ready.ts";

const INCR_WITH_EXPIRY = `
local value = redis.call('INCR', KEYS[1])
if value == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return value`;

/**
 * Redis-backed store. Timeouts are short and the offline queue is off: with ioredis defaults a
 * stopped Redis makes every command wait for the reconnect loop, which hangs requests for seconds.
 * Here a command fails fast and callers decide (sessions fall back to Postgres, limits to memory).
 */
export function createRedisKvStore(url: string, logger: Logger, prefix = ""): KvStore & { client: Redis } {
  const client = new Redis(url, {
    connectTimeout: 1000,
    commandTimeout: 500,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // Commands issued in the same tick share one write: fewer syscalls for the two session reads
    // and the rate-limit update of every request.
    enableAutoPipelining: true,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  trackReadiness(client);
  let healthy = true;
  client.on("error", (error) => {
    if (healthy) logger.warn({ err: error.message }, "redis unavailable; falling back until it returns");
    healthy = false;
  });
  client.on("ready", () => {
    if (!healthy) logger.info("redis connection restored");
    healthy = true;
  });
  const ready = () => whenReady(client);
  return {
    kind: "redis",
    client,
    async get(key) {
      await ready();
      return client.get(prefix + key);
    },
    async set(key, value, ttlSeconds) {
      await ready();
      if (ttlSeconds) await client.set(prefix + key, value, "EX", Math.max(1, Math.ceil(ttlSeconds)));
      else await client.set(prefix + key, value);
    },
    async del(key) {
      await ready();
      await client.del(prefix + key);
    },
    async incr(key, ttlSeconds) {
      await ready();
      return Number(await client.eval(INCR_WITH_EXPIRY, 1, prefix + key, Math.max(1, Math.ceil(ttlSeconds))));
    },
    async ping() {
      await ready();
      await client.ping();
    },
    async close() {
      client.disconnect();
    },
  };
}
