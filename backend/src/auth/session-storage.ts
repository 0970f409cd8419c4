import type { SecondaryStorage } from "better-auth";
import type { Redis } from "ioredis";
import type { Logger } from "../logger.ts";
import type { SessionCacheEpoch } from "./session-cache-epoch.ts";

/**
 * One Lua call per operation: the epoch and the entry in the same round trip, so no operation
 * ever reads or writes a generation other than the current one. KEYS[1]: the epoch key. ARGV[1]:
 * the cache's key prefix, ARGV[2]: better-auth's key, then the operation's own arguments.
 */
const PREAMBLE = "local k = ARGV[1] .. (redis.call('GET', KEYS[1]) or '0') .. ':' .. ARGV[2]\n";
const SCRIPTS = {
  sessionCacheGet: "return redis.call('GET', k)",
  sessionCacheSet:
    "if tonumber(ARGV[4]) > 0 then return redis.call('SET', k, ARGV[3], 'EX', ARGV[4]) end return redis.call('SET', k, ARGV[3])",
  sessionCacheDelete: "return redis.call('DEL', k)",
  sessionCacheGetAndDelete: "local v = redis.call('GET', k) if v then redis.call('DEL', k) end return v",
  // As @better-auth/redis-storage: the TTL is set on creation only.
  sessionCacheIncrement: "local v = redis.call('INCR', k) if v == 1 then redis.call('EXPIRE', k, ARGV[3]) end return v",
};
type ScriptName = keyof typeof SCRIPTS;
type ScriptedRedis = Redis & Record<ScriptName, (epochKey: string, ...args: (string | number)[]) => Promise<unknown>>;

/** The cache key of better-auth's `key` in `epoch`: the fast path reads entries under this name. */
export const sessionCacheKey = (keyPrefix: string, epoch: string | number, key: string) =>
  `${keyPrefix}${epoch}:${key}`;

/**
 * better-auth's Redis session cache, keyed by the cache epoch (session-cache-epoch.ts) and made
 * failure-tolerant: any Redis error is a cache miss (reads return null, writes are dropped), so
 * sessions fall back to Postgres instead of failing requests. A write that fails bumps the epoch
 * once Redis answers again: a sign-out whose delete failed can then be served from the cache by no
 * replica, not just by this one. Sessions live in Postgres (`storeSessionInDatabase`).
 */
export function createSessionStorage(
  client: Redis,
  keyPrefix: string,
  epoch: SessionCacheEpoch,
  logger: Logger,
): SecondaryStorage {
  for (const [name, body] of Object.entries(SCRIPTS)) {
    client.defineCommand(name, { numberOfKeys: 1, lua: PREAMBLE + body });
  }
  const redis = client as ScriptedRedis;

  async function run<T>(name: ScriptName, fallback: T, write: boolean, args: (string | number)[]): Promise<T> {
    if (!epoch.usable()) {
      // Not read or written until this process's epoch bump after an outage went through.
      if (write) epoch.writeFailed();
      return fallback;
    }
    try {
      return (await redis[name](epoch.key, keyPrefix, ...args)) as T;
    } catch (error) {
      if (write) epoch.writeFailed();
      logger.debug({ operation: name, err: (error as Error).message }, "session cache unavailable");
      return fallback;
    }
  }

  return {
    get: (key) => run<string | null>("sessionCacheGet", null, false, [key]),
    getAndDelete: (key) => run<string | null>("sessionCacheGetAndDelete", null, true, [key]),
    // A failed increment reports a high count so a limit relying on it fails closed, not open.
    increment: async (key, ttl) =>
      Number(await run("sessionCacheIncrement", Number.MAX_SAFE_INTEGER, true, [key, ttl])),
    set: async (key, value, ttl) => {
      await run("sessionCacheSet", undefined, true, [key, value, ttl && ttl > 0 ? Math.ceil(ttl) : 0]);
    },
    delete: async (key) => {
      await run("sessionCacheDelete", undefined, true, [key]);
    },
  };
}
