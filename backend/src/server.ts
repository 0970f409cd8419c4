import { type ServerType, serve } from "@hono/node-server";
import { type App, createApp } from "./app.ts";
import { ensureAdmin } from "./auth/ensure-admin.ts";
import type { Config } from "./config.ts";
import { migrateToLatest } from "./db/migrator.ts";
import { createDeps, type Deps } from "./deps.ts";
import type { Logger } from "./logger.ts";
import { onShutdown } from "./shutdown.ts";

interface StartOptions {
  /** Lets a test fixture add routes to the real app before it listens. */
  configureApp?: (app: App) => void;
}

/** config → dependencies → app → listening server with graceful shutdown. */
export async function startServer(config: Config, logger: Logger, options: StartOptions = {}) {
  const deps: Deps = createDeps(config, logger);

  // Staging/production migrate in Dokku's release phase (`pnpm db:migrate`), never at boot.
  if (!config.isProductionLike) await migrateToLatest(deps.db);

  if (config.admin) {
    // Not fatal: a database that is down at boot must not keep the API from serving once it returns.
    await ensureAdmin(deps, config.admin).then(
      (result) =>
        result === "taken"
          ? logger.warn(
              { email: config.admin?.email },
              "ADMIN_EMAIL belongs to an existing account, which is not promoted: run pnpm admin:promote <email> if it is yours",
            )
          : logger.info({ email: config.admin?.email, result }, "admin account checked"),
      (error: unknown) => logger.error({ err: error }, "could not ensure the admin account"),
    );
  }

  const app = createApp(deps);
  options.configureApp?.(app);
  const server: ServerType = await new Promise((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(listening));
    listening.once("error", reject);
  });
  logger.info({ port: config.port, host: config.host, env: config.appEnv, version: config.version }, "listening");
  onShutdown(server, deps, { timeoutMs: config.shutdownTimeoutMs, drainDelayMs: config.shutdownDrainDelayMs });
  return { server, deps, app };
}
