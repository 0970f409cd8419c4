import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "../../../scripts/lib/free-port.ts";
import { type PostgresServer, startPostgres } from "../../../scripts/lib/postgres-server.ts";
import { type RedisServer, startRedis } from "../../../scripts/lib/redis-server.ts";
import { type S3Server, startS3 } from "../../../scripts/lib/s3-server.ts";
import { prepareTemplate, TEMPLATE_DB } from "./template-db.ts";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    redisUrl: string;
    s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string };
  }
}

/**
 * Starts the real services every integration test talks to (Postgres, Redis, an S3-compatible
 * server) on free ports, migrates a template database that each test file clones, and stops it all
 * at the end. DATABASE_URL / REDIS_URL / S3_ENDPOINT point at existing servers instead.
 */
export default async function setup(project: TestProject) {
  const started = performance.now();
  const workDir = await mkdtemp(path.join(tmpdir(), "coaching-test-"));
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await rm(workDir, { recursive: true, force: true });
  };

  try {
    let pgAdminUrl = process.env.DATABASE_URL;
    if (!pgAdminUrl) {
      const pg: PostgresServer = await startPostgres({
        dataDir: path.join(workDir, "pg"),
        port: await freePort(),
        ephemeral: true,
      }).catch((error: unknown) => {
        throw new Error(
          `could not start embedded Postgres (run \`pnpm install\` so its binaries are present): ${String(error)}`,
        );
      });
      stops.push(() => pg.stop());
      pgAdminUrl = pg.adminUrl;
    }
    await prepareTemplate(pgAdminUrl);

    let redisUrl = process.env.REDIS_URL;
    if (!redisUrl) {
      const redis: RedisServer = await startRedis(await freePort());
      stops.push(() => redis.stop());
      redisUrl = redis.url;
    }

    let s3: S3Server | undefined;
    if (!process.env.S3_ENDPOINT) {
      s3 = await startS3({ port: await freePort(), directory: path.join(workDir, "s3"), bucket: "coaching-app-test" });
      stops.push(() => s3?.stop() ?? Promise.resolve());
    }

    project.provide("pgAdminUrl", pgAdminUrl);
    project.provide("pgTemplate", TEMPLATE_DB);
    project.provide("redisUrl", redisUrl);
    project.provide("s3", {
      endpoint: s3?.endpoint ?? (process.env.S3_ENDPOINT as string),
      bucket: s3?.bucket ?? process.env.S3_BUCKET ?? "coaching-app-test",
      accessKeyId: s3?.accessKeyId ?? process.env.S3_ACCESS_KEY_ID ?? "",
      secretAccessKey: s3?.secretAccessKey ?? process.env.S3_SECRET_ACCESS_KEY ?? "",
    });
    console.log(`[test services] Postgres, Redis and S3 ready in ${Math.round(performance.now() - started)} ms`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
