import type { ServerType } from "@hono/node-server";
import type { Deps } from "./deps.ts";
import { closeDeps } from "./deps.ts";

interface ShutdownOptions {
  timeoutMs: number;
  drainDelayMs: number;
  exit?: (code: number) => void;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: /health turns 503 `draining` at once (the tunnel guard and
 * load balancers stop sending traffic), the listener closes after the drain delay, in-flight
 * requests finish, pools close, exit 0. A second signal or the timeout forces exit 1.
 */
export function onShutdown(server: ServerType, deps: Deps, options: ShutdownOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const { logger } = deps;
  let started = false;

  const shutdown = async (signal: string) => {
    if (started) {
      logger.warn({ signal }, "second signal: exiting now");
      exit(1);
      return;
    }
    started = true;
    deps.lifecycle.draining = true;
    logger.info({ signal, drainDelayMs: options.drainDelayMs, timeoutMs: options.timeoutMs }, "shutting down");
    const force = setTimeout(() => {
      logger.error({ timeoutMs: options.timeoutMs }, "shutdown timed out: exiting with requests still open");
      exit(1);
    }, options.timeoutMs);
    force.unref();

    if (options.drainDelayMs > 0) await new Promise((r) => setTimeout(r, options.drainDelayMs));
    // close() stops accepting and resolves once every in-flight request has finished;
    // idle keep-alive sockets are closed so they do not hold the process open.
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ("closeIdleConnections" in server) server.closeIdleConnections();
    });
    await closeDeps(deps);
    clearTimeout(force);
    logger.info("shutdown complete");
    exit(0);
  };

  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
