import type { Redis } from "ioredis";
import type { Logger } from "../logger.ts";

/**
 * The generation of better-auth's session cache in Redis. Every cache key holds it
 * (`<prefix><epoch>:<key>`, read inside the same Lua call that reads the entry), so bumping it
 * empties the cache for every replica at once, atomically, without deleting anything; old entries
 * expire by their TTL.
 *
 * It is bumped whenever the cache may hold something Postgres no longer does: after this process's
 * connection to Redis was lost (a sign-out on any replica during the outage failed to delete its
 * entry, and a Redis that restarts with its data would still hold it), and after a cache write of
 * this process failed (a frozen Redis, a timeout). Until its bump after a reconnect has gone
 * through, this process does not read the cache at all. Sessions live in Postgres, so a bump signs
 * nobody out; it costs one Postgres read per active session.
 */
export interface SessionCacheEpoch {
  /** The Redis key holding the epoch (KEYS[1] of every cache script). */
  key: string;
  /** False from a lost connection until this process's bump after it succeeded. */
  usable(): boolean;
  /** A cache write failed: bump as soon as Redis answers again. */
  writeFailed(): void;
}

const RETRY_MS = 500;

export function createSessionCacheEpoch(client: Redis, keyPrefix: string, logger: Logger): SessionCacheEpoch {
  const key = `${keyPrefix}epoch`;
  let connectedBefore = false;
  let bumpNeeded = false;
  let usable = client.status === "ready";
  let bumping: Promise<void> | undefined;

  const bump = () => {
    if (bumping) return;
    bumping = client
      .incr(key)
      .then((epoch) => {
        bumpNeeded = false;
        usable = client.status === "ready";
        logger.info({ epoch }, "session cache epoch bumped: entries written before are no longer read");
      })
      .catch(() => {
        // A frozen Redis (the connection stays up, commands time out) gets a retry; a closed
        // connection is bumped on its next "ready".
        if (client.status === "ready") setTimeout(() => bumpNeeded && bump(), RETRY_MS).unref();
      })
      .finally(() => {
        bumping = undefined;
      });
  };
  client.on("ready", () => {
    if (connectedBefore || bumpNeeded) {
      usable = false;
      bumpNeeded = true;
      bump();
    } else {
      usable = true;
    }
    connectedBefore = true;
  });
  client.on("close", () => {
    if (connectedBefore) {
      usable = false;
      bumpNeeded = true;
    }
  });
  if (client.status === "ready") connectedBefore = true;

  return {
    key,
    usable: () => usable && client.status === "ready",
    writeFailed: () => {
      bumpNeeded = true;
      usable = false;
      if (client.status === "ready") bump();
    },
  };
}
