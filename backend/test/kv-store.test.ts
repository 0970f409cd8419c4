import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { KvStore } from "../src/cache/kv-store.ts";
import { createMemoryKvStore } from "../src/cache/memory-kv-store.ts";
import { createRedisKvStore } from "../src/cache/redis-kv-store.ts";
import { testServices } from "./support/test-services.ts";

const redis = createRedisKvStore(testServices().redisUrl, pino({ level: "silent" }));
const memory = createMemoryKvStore();
afterAll(() => redis.close());

const unique = () => `kv-test:${crypto.randomUUID()}`;

describe.each<[string, KvStore]>([
  ["redis", redis],
  ["memory", memory],
])("%s store", (_name, store) => {
  it("sets, gets and deletes a value", async () => {
    const key = unique();
    await store.set(key, "v1");
    expect(await store.get(key)).toBe("v1");
    await store.del(key);
    expect(await store.get(key)).toBeNull();
  });

  it("expires a value after its TTL", async () => {
    const key = unique();
    await store.set(key, "short", 1);
    expect(await store.get(key)).toBe("short");
    await new Promise((r) => setTimeout(r, 1100));
    expect(await store.get(key)).toBeNull();
  });

  it("counts with an expiry set on the first increment only", async () => {
    const key = unique();
    expect(await store.incr(key, 1)).toBe(1);
    expect(await store.incr(key, 100)).toBe(2);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await store.incr(key, 1)).toBe(1);
  });

  it("answers ping", async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe("redis store with Redis unreachable", () => {
  it("fails fast instead of queueing commands", async () => {
    const dead = createRedisKvStore("redis://127.0.0.1:1", pino({ level: "silent" }));
    // The bounded start-up wait gives up, not a queued command waiting out the reconnect loop
    // (which would end in ioredis' own "max retries" or timeout errors), and the client is still
    // trying to connect when it does.
    await expect(dead.get("x")).rejects.toThrow(/^redis not ready \((connecting|reconnecting)\)$/);
    expect(["connecting", "reconnecting"]).toContain(dead.client.status);
    await dead.close();
  });
});
