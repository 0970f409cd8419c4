import { inject } from "vitest";
import { createDatabaseFromTemplate } from "./template-db.ts";

/** Connection details of the services the global setup started. */
export function testServices() {
  return {
    pgAdminUrl: inject("pgAdminUrl"),
    redisUrl: inject("redisUrl"),
    s3: inject("s3"),
  };
}

/** A migrated database of this test file's own. */
export function createTestDatabase(options: { empty?: boolean } = {}) {
  return createDatabaseFromTemplate(inject("pgAdminUrl"), inject("pgTemplate"), options.empty);
}

/** The environment a test app or child process runs with; overrides win. */
export function testEnv(databaseUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  const { redisUrl, s3 } = testServices();
  return {
    APP_ENV: "test",
    LOG_LEVEL: "silent",
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: "true",
    ...overrides,
  };
}
