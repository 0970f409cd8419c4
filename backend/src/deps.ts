import type { Redis } from "ioredis";
import type { KvStore } from "./cache/kv-store.ts";
import { createMemoryKvStore } from "./cache/memory-kv-store.ts";
import { createRedisKvStore } from "./cache/redis-kv-store.ts";
import type { Config } from "./config.ts";
import { createDatabase, type Db, type Sql } from "./db/database.ts";
import type { Logger } from "./logger.ts";
import { LazyS3Client } from "./storage/s3-client.ts";

/** Process-wide state the HTTP layer reads; flipped by the shutdown handler. */
export interface Lifecycle {
  draining: boolean;
}

/** Everything the app talks to. Built once in main.ts (or a test) and passed into createApp. */
export interface Deps {
  config: Config;
  logger: Logger;
  db: Db;
  sql: Sql;
  kv: KvStore;
  /** The raw client for libraries that speak Redis themselves (sessions, rate limits); unset = memory. */
  redis: Redis | undefined;
  s3: LazyS3Client;
  lifecycle: Lifecycle;
}

/** Creates pools and clients. Connections open lazily, so this never blocks on a dead service. */
export function createDeps(config: Config, logger: Logger): Deps {
  const { db, sql } = createDatabase({
    url: config.databaseUrl,
    poolMax: config.databasePoolMax,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    connectTimeoutSeconds: config.databaseConnectTimeoutS,
  });
  const redisStore = config.redisUrl
    ? createRedisKvStore(config.redisUrl, logger, `${config.redisKeyPrefix}kv:`)
    : undefined;
  const kv = redisStore ?? createMemoryKvStore();
  if (!redisStore) logger.info("REDIS_URL unset: sessions cache and rate limits are in memory");
  return {
    config,
    logger,
    db,
    sql,
    kv,
    redis: redisStore?.client,
    s3: new LazyS3Client(config.s3),
    lifecycle: { draining: false },
  };
}

/** Closes pools and clients; waits for in-flight queries up to `timeoutSeconds`. */
export async function closeDeps(deps: Deps, timeoutSeconds = 5): Promise<void> {
  await Promise.allSettled([deps.sql.end({ timeout: timeoutSeconds }), deps.kv.close()]);
  deps.s3.destroy();
}
