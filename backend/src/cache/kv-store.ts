/**
 * The small key-value surface the app needs from Redis: sessions cache, rate-limit counters.
 * Values are strings; TTLs are in seconds.
 */
export interface KvStore {
  readonly kind: "redis" | "memory";
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Increments a counter; the expiry is set when the key is created. Returns the new value. */
  incr(key: string, ttlSeconds: number): Promise<number>;
  /** Resolves when the store answers, rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
