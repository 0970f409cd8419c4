import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { whenReady } from "../cache/redis-ready.ts";
import { AppError } from "./app-error.ts";

export interface LimitRule {
  points: number;
  durationSeconds: number;
  /** Once spent, refuse for this long (rate-limiter-flexible's blockDuration). */
  blockSeconds?: number;
}

/** The limits of docs/api.md § Rate limits; shared by every replica through Redis. */
export const LIMITS = {
  signInPerIpEmail: { points: 5, durationSeconds: 60 },
  signInPerIp: { points: 20, durationSeconds: 60 },
  signUpPerIp: { points: 5, durationSeconds: 3600 },
  authOtherPerIp: { points: 120, durationSeconds: 60 },
  apiPerUser: { points: 600, durationSeconds: 60 },
  /** Routes under /api/public (no session to count against). */
  publicPerIp: { points: 120, durationSeconds: 60 },
  /**
   * Failed sign-ins of one account, from any address: 10 in 15 minutes block it for 15 minutes
   * (ASVS 2.2.1). Counted only on failures and cleared by a successful sign-in.
   */
  signInFailuresPerAccount: { points: 10, durationSeconds: 900, blockSeconds: 900 },
  /** Uploads started by one user (POST /api/v1/assets): a burst of them is refused, not stored. */
  uploadsPerUser: { points: 100, durationSeconds: 3600 },
} satisfies Record<string, LimitRule>;

export type LimitName = keyof typeof LIMITS;

/** The Redis key prefix of a limit's counters; a key's counter is `${prefix}:${key}` (RateLimiterRedis.getKey). */
export function limiterKeyPrefix(redisKeyPrefix: string, name: LimitName): string {
  return `${redisKeyPrefix}rl:${name}`;
}

export interface RateLimiters {
  /** Counts one hit against each (limit, key) pair; throws 429 `rate_limited` when any is exhausted. */
  consume(hits: [LimitName, string][]): Promise<void>;
  /** Throws 429 `rate_limited` when the limit is already spent for the key; counts nothing. */
  check(name: LimitName, key: string): Promise<void>;
  /** Counts one hit without refusing anything (a failure that a later check() answers for). */
  penalize(name: LimitName, key: string): Promise<void>;
  /** Forgets the key's count (a successful sign-in clears its failures). */
  reset(name: LimitName, key: string): Promise<void>;
}

/**
 * Redis-backed counters with a per-process memory "insurance" limiter that takes over while Redis
 * is unreachable (rate-limiter-flexible falls back on any Redis error), so an outage weakens the
 * limits to per-replica instead of failing requests or switching them off.
 */
export function createRateLimiters(redis: Redis | undefined, keyPrefix: string, rules = LIMITS): RateLimiters {
  const limiters = Object.fromEntries(
    Object.entries(rules).map(([name, rule]) => {
      const blockDuration = (rule as LimitRule).blockSeconds ?? 0;
      const memory = new RateLimiterMemory({ points: rule.points, duration: rule.durationSeconds, blockDuration });
      const limiter = redis
        ? new RateLimiterRedis({
            storeClient: redis,
            points: rule.points,
            duration: rule.durationSeconds,
            blockDuration,
            keyPrefix: limiterKeyPrefix(keyPrefix, name as LimitName),
            // Not ready after the wait above: go straight to the per-process fallback.
            rejectIfRedisNotReady: true,
            insuranceLimiter: memory,
          })
        : memory;
      return [name, limiter];
    }),
  ) as Record<LimitName, RateLimiterMemory | RateLimiterRedis>;

  const ready = async () => {
    // A brief wait for a connecting client keeps all counts in one (shared) place.
    if (redis) await whenReady(redis)?.catch(() => {});
  };
  return {
    async check(name, key) {
      await ready();
      const state = await limiters[name].get(key).catch(() => null);
      if (state && state.consumedPoints >= rules[name].points && state.msBeforeNext > 0) {
        throw new RateLimitedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
      }
    },
    async penalize(name, key) {
      await ready();
      await limiters[name].consume(key).catch((reason: unknown) => {
        if (!(reason instanceof RateLimiterRes)) throw reason;
      });
    },
    async reset(name, key) {
      await ready();
      await limiters[name].delete(key).catch(() => false);
    },
    async consume(hits) {
      await ready();
      const results = await Promise.allSettled(hits.map(([name, key]) => limiters[name].consume(key)));
      let retryMs = 0;
      for (const result of results) {
        if (result.status === "fulfilled") continue;
        if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
        retryMs = Math.max(retryMs, result.reason.msBeforeNext);
      }
      if (retryMs > 0) throw new RateLimitedError(Math.max(1, Math.ceil(retryMs / 1000)));
    },
  };
}

/** 429 `rate_limited`; the error handler adds `Retry-After`. */
export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, "rate_limited", `Too many requests; try again in ${retryAfterSeconds} s.`);
  }
}
