import type { KvStore } from "./kv-store.ts";

interface Entry {
  value: string;
  expiresAt: number | undefined;
}

/** In-process store for local dev and tests without Redis. Never used in staging/production. */
export function createMemoryKvStore(now: () => number = Date.now): KvStore {
  const entries = new Map<string, Entry>();
  const read = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const expiry = (ttlSeconds?: number) => (ttlSeconds ? now() + ttlSeconds * 1000 : undefined);
  return {
    kind: "memory",
    async get(key) {
      return read(key)?.value ?? null;
    },
    async set(key, value, ttlSeconds) {
      entries.set(key, { value, expiresAt: expiry(ttlSeconds) });
    },
    async del(key) {
      entries.delete(key);
    },
    async incr(key, ttlSeconds) {
      const entry = read(key);
      const next = Number(entry?.value ?? 0) + 1;
      entries.set(key, { value: String(next), expiresAt: entry ? entry.expiresAt : expiry(ttlSeconds) });
      return next;
    },
    async ping() {},
    async close() {
      entries.clear();
    },
  };
}
