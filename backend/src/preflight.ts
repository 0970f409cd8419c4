import { ConfigError, loadConfig } from "./config.ts";

// `pnpm preflight`: runs the same rules as production start-up, without starting anything.
try {
  const config = loadConfig(process.env);
  console.log(`preflight ok: APP_ENV=${config.appEnv}, listening on ${config.host}:${config.port}`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : String(error));
  process.exit(1);
}
