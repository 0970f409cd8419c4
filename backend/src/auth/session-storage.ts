import { redisStorage } from "@better-auth/redis-storage";
import type { SecondaryStorage } from "better-auth";
import type { Redis } from "ioredis";
import type { Logger } from "../logger.ts";

/**
 * better-auth's Redis session cache, made failure-tolerant: any Redis error is a cache miss (reads
 * return null, writes are dropped), so sessions fall back to Postgres instead of failing requests.
 *
 * A delete that fails while Redis is unreachable could leave a signed-out session cached; when the
 * connection returns, the whole auth cache is cleared before it is used again. Sessions live in
 * Postgres (`storeSessionInDatabase`), so clearing the cache signs nobody out.
 */
export function createSessionStorage(client: Redis, keyPrefix: string, logger: Logger): SecondaryStorage {
  const storage = redisStorage({ client, keyPrefix });
  let staleAfterOutage = false;
  let clearing: Promise<void> | undefined;

  const beforeUse = async () => {
    if (!staleAfterOutage || client.status !== "ready") return;
    clearing ??= storage
      .clear()
      .then(() => {
        staleAfterOutage = false;
        logger.info("session cache cleared after a Redis outage");
      })
      .finally(() => {
        clearing = undefined;
      });
    await clearing;
  };

  async function guarded<T>(operation: string, fallback: T, run: () => Promise<T>, isWrite: boolean): Promise<T> {
    try {
      await beforeUse();
      return await run();
    } catch (error) {
      if (isWrite) staleAfterOutage = true;
      logger.debug({ operation, err: (error as Error).message }, "session cache unavailable");
      return fallback;
    }
  }

  return {
    get: (key) => guarded("get", null, () => storage.get(key), false),
    getAndDelete: (key) => guarded("getAndDelete", null, () => storage.getAndDelete(key), true),
    // A failed increment reports a high count so a limit relying on it fails closed, not open.
    increment: (key, ttl) => guarded("increment", Number.MAX_SAFE_INTEGER, () => storage.increment(key, ttl), true),
    set: (key, value, ttl) => guarded("set", undefined, () => storage.set(key, value, ttl), true),
    delete: (key) => guarded("delete", undefined, () => storage.delete(key), true),
  };
}
