import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { serve } from "@hono/node-server";
import { type App, createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { closeDeps, createDeps, type Deps } from "../../src/deps.ts";
import { createLogger } from "../../src/logger.ts";
import { recordResponse } from "./observed-statuses.ts";
import { createTestDatabase, testEnv } from "./test-services.ts";

export interface TestApp {
  url: string;
  app: App;
  deps: Deps;
  databaseUrl: string;
  /** The environment the app's config was read from (for a CLI run against the same services). */
  env: Record<string, string>;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * The real app on a real HTTP port, against the given database and the shared Redis/S3. Every
 * response it serves is recorded (observed-statuses.ts), so a test file can check that
 * `/openapi.json` declares each status it saw.
 */
export async function startTestApp(
  databaseUrl: string,
  overrides: Record<string, string> = {},
  configure?: (app: App) => void,
): Promise<TestApp> {
  const env = testEnv(databaseUrl, {
    LOG_LEVEL: "info",
    REDIS_KEY_PREFIX: `test-${crypto.randomUUID().slice(0, 8)}:`,
    ...overrides,
  });
  const config = loadConfig(env);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const deps = createDeps(config, createLogger({ level: config.logLevel, destination: sink }));
  const app = createApp(deps);
  configure?.(app);
  // Wrapped outside the app: a middleware added here would run after the routes, i.e. never.
  const recordingFetch: typeof app.fetch = async (request, env) => {
    const response = await app.fetch(request, env);
    recordResponse(request.method, request.url, response.status);
    return response;
  };
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: recordingFetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    deps,
    databaseUrl,
    env,
    logs,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      await closeDeps(deps, 1);
    },
  };
}

/**
 * A database of this test file's own (a copy of the migrated template) and the app on it;
 * `close()` stops the app, then drops the database.
 */
export async function openTestApp(
  overrides: Record<string, string> = {},
  configure?: (app: App) => void,
): Promise<TestApp> {
  const database = await createTestDatabase();
  let api: TestApp;
  try {
    api = await startTestApp(database.url, overrides, configure);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    ...api,
    async close() {
      try {
        await api.close();
      } finally {
        await database.drop();
      }
    },
  };
}
