import { ConfigError, loadConfig } from "./config.ts";
import { tuneGarbageCollector } from "./gc-tuning.ts";
import { createLogger } from "./logger.ts";
import { startServer } from "./server.ts";

tuneGarbageCollector();

try {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, pretty: config.appEnv === "local" });
  await startServer(config, logger);
} catch (error) {
  console.error(
    error instanceof ConfigError
      ? error.message
      : `startup failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}
