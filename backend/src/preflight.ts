import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs, parseEnv } from "node:util";
import { ConfigError, loadConfig } from "./config.ts";
import { runLiveChecks } from "./live-preflight/live-checks.ts";

// `pnpm preflight [-- --env-file <file>]`: runs the same rules as production start-up, without
// starting anything, against the environment or against an env file alone (the file you are about
// to give `dokku/setup-app-node.sh --env-file`). `--live`: the deployed API and web app, from outside.
const USAGE = `usage: pnpm preflight [-- --env-file <file>]
       pnpm preflight -- --live <api-url> --web <web-url> [--expect-version <sha>] [--ca <pem>]

Checks the configuration against the rules the API applies at start-up (docs/configuration.md)
and lists every problem at once. Without --env-file it reads the environment; with it, only the
file (KEY=value lines, as in .env.example). Exit 0 when the API would start, 1 otherwise.

--live checks a deployment from outside and prints one ✓/✗ line per check, exit 1 on any ✗: TLS
certificates, HSTS and the security headers of API and web app, the session cookie's flags (it
signs in as PREFLIGHT_EMAIL / PREFLIGHT_PASSWORD, a dedicated check account, and signs out), CORS
exact for the web origin and refused for another, /health 200 (with --expect-version, that
version), /docs not served and /openapi.json served, the web app's CSP, its SPA fallback for a deep
link (_redirects), and that its bundle calls the API. --ca trusts an extra CA (a private edge).`;

function readEnvFile(file: string): Record<string, string> {
  // pnpm runs this in backend/: resolve a relative path from where the command was typed.
  const resolved = path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
  try {
    return parseEnv(readFileSync(resolved, "utf8")) as Record<string, string>;
  } catch (error) {
    throw new Error(`cannot read ${resolved}: ${(error as Error).message}`);
  }
}

try {
  // `pnpm preflight -- --env-file x` reaches here through a nested pnpm run with the "--" kept.
  const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === "--"));
  const options = {
    "env-file": { type: "string" },
    live: { type: "string" },
    web: { type: "string" },
    "expect-version": { type: "string" },
    ca: { type: "string" },
    help: { type: "boolean", short: "h" },
  } as const;
  const { values } = parseArgs({ args, options });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.live !== undefined || values.web !== undefined) {
    process.exit(await live(values));
  }
  const file = values["env-file"];
  const config = loadConfig(file ? readEnvFile(file) : process.env);
  console.log(
    `preflight ok${file ? ` (${file})` : ""}: APP_ENV=${config.appEnv}, listening on ${config.host}:${config.port}`,
  );
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `preflight: ${(error as Error).message}`);
  process.exit(1);
}

async function live(values: { live?: string; web?: string; "expect-version"?: string; ca?: string }): Promise<number> {
  if (!values.live || !values.web) throw new Error(`--live and --web go together\n\n${USAGE}`);
  for (const url of [values.live, values.web]) {
    if (!URL.canParse(url)) throw new Error(`not a URL: ${url}`);
  }
  const email = process.env.PREFLIGHT_EMAIL;
  const password = process.env.PREFLIGHT_PASSWORD;
  const ca = values.ca
    ? readFileSync(path.resolve(process.env.INIT_CWD ?? process.cwd(), values.ca), "utf8")
    : undefined;
  console.log(`live preflight: API ${values.live}, web ${values.web}`);
  const checks = await runLiveChecks({
    apiUrl: values.live,
    webUrl: values.web,
    expectVersion: values["expect-version"],
    account: email && password ? { email, password } : undefined,
    ca,
  });
  for (const check of checks) console.log(`${check.ok ? "✓" : "✗"} ${check.label}: ${check.detail}`);
  const failed = checks.filter((check) => !check.ok).length;
  console.log(failed === 0 ? `all ${checks.length} checks passed` : `${failed} of ${checks.length} checks failed`);
  return failed === 0 ? 0 : 1;
}
