import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { serve } from "@hono/node-server";
import { type App, createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { closeDeps, createDeps, type Deps } from "../../src/deps.ts";
import { createLogger } from "../../src/logger.ts";
import { testEnv } from "./test-services.ts";

export interface TestApp {
  url: string;
  app: App;
  deps: Deps;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** The real app on a real HTTP port, against the given database and the shared Redis/S3. */
export async function startTestApp(
  databaseUrl: string,
  overrides: Record<string, string> = {},
  configure?: (app: App) => void,
): Promise<TestApp> {
  const config = loadConfig(
    testEnv(databaseUrl, {
      LOG_LEVEL: "info",
      REDIS_KEY_PREFIX: `test-${crypto.randomUUID().slice(0, 8)}:`,
      ...overrides,
    }),
  );
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
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    deps,
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
