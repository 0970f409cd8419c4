import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { whenReady } from "../cache/redis-ready.ts";
import { AppError } from "./app-error.ts";

export interface LimitRule {
  points: number;
  durationSeconds: number;
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
} satisfies Record<string, LimitRule>;

export type LimitName = keyof typeof LIMITS;

/** The Redis key prefix of a limit's counters; a key's counter is `${prefix}:${key}` (RateLimiterRedis.getKey). */
export function limiterKeyPrefix(redisKeyPrefix: string, name: LimitName): string {
  return `${redisKeyPrefix}rl:${name}`;
}

export interface RateLimiters {
  /** Counts one hit against each (limit, key) pair; throws 429 `rate_limited` when any is exhausted. */
  consume(hits: [LimitName, string][]): Promise<void>;
}

/**
 * Redis-backed counters with a per-process memory "insurance" limiter that takes over while Redis
 * is unreachable (rate-limiter-flexible falls back on any Redis error), so an outage weakens the
 * limits to per-replica instead of failing requests or switching them off.
 */
export function createRateLimiters(redis: Redis | undefined, keyPrefix: string, rules = LIMITS): RateLimiters {
  const limiters = Object.fromEntries(
    Object.entries(rules).map(([name, rule]) => {
      const memory = new RateLimiterMemory({ points: rule.points, duration: rule.durationSeconds });
      const limiter = redis
        ? new RateLimiterRedis({
            storeClient: redis,
            points: rule.points,
            duration: rule.durationSeconds,
            keyPrefix: limiterKeyPrefix(keyPrefix, name as LimitName),
            // Not ready after the wait above: go straight to the per-process fallback.
            rejectIfRedisNotReady: true,
            insuranceLimiter: memory,
          })
        : memory;
      return [name, limiter];
    }),
  ) as Record<LimitName, RateLimiterMemory | RateLimiterRedis>;

  return {
    async consume(hits) {
      // A brief wait for a connecting client keeps all counts in one (shared) place.
      if (redis) await whenReady(redis)?.catch(() => {});
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
