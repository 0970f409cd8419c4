import { z } from "zod";
import { postgresUrlProblem, postgresUrlTarget } from "./db/postgres-url.ts";

export const APP_ENVS = ["local", "test", "staging", "production"] as const;
export type AppEnv = (typeof APP_ENVS)[number];

/** Used only outside staging/production; production refuses it. */
export const DEV_AUTH_SECRET = "dev-only-secret-do-not-use-in-production-0000";
const DEV_ADMIN_PASSWORD = "admin-demo-password";
const WEAK_SECRETS = new Set([DEV_AUTH_SECRET, "secret", "changeme", "change-me", "password", "better-auth-secret"]);

const boolean = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A postgres:// URL, one host or a list of them (see db/postgres-url.ts). */
function postgresUrl(unsetMessage: string) {
  return z.string({ error: unsetMessage }).superRefine((value, ctx) => {
    const problem = postgresUrlProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

const schema = z.object({
  APP_ENV: z.enum(APP_ENVS).default("local"),
  PORT: int(1, 65535).default(3001),
  HOST: z.string().min(1).optional(),
  DATABASE_URL: postgresUrl("is not set (postgres://user:password@host:5432/database)"),
  MIGRATION_DATABASE_URL: postgresUrl("").optional(),
  DATABASE_POOL_MAX: int(1, 100).default(10),
  DATABASE_CONNECT_TIMEOUT_S: int(1, 60).default(2),
  DATABASE_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(10_000),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/)
    .default("coaching:"),
  BETTER_AUTH_SECRET: z.string().optional(),
  BETTER_AUTH_URL: z.url().default("http://localhost:3001"),
  CORS_ORIGIN: z.string().default("http://localhost:5173"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default("auto"),
  S3_BUCKET: z.string().min(3).default("coaching-app"),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: boolean.optional(),
  MAX_UPLOAD_BYTES: int(1, 5 * 1024 ** 3).default(52_428_800),
  UPLOAD_QUOTA_CLIENT_BYTES: int(1, 10 * 1024 ** 4).default(2 * 1024 ** 3),
  UPLOAD_QUOTA_CLIENT_FILES: int(1, 1_000_000).default(500),
  UPLOAD_QUOTA_USER_BYTES: int(1, 10 * 1024 ** 4).default(20 * 1024 ** 3),
  TRUST_PROXY: z.enum(["none", "cloudflare"]).default("none"),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(25_000),
  SHUTDOWN_DRAIN_DELAY_MS: int(0, 60_000).optional(),
  APP_VERSION: z.string().optional(),
  DOCS_ENABLED: boolean.optional(),
});

export interface Config {
  appEnv: AppEnv;
  isProductionLike: boolean;
  port: number;
  host: string;
  version: string;
  databaseUrl: string;
  /** The tables' owner, which migrations run as (the release phase); DATABASE_URL when unset. */
  migrationDatabaseUrl: string;
  databasePoolMax: number;
  /** Per host tried: a data node that does not answer costs this long before the next is tried. */
  databaseConnectTimeoutS: number;
  databaseStatementTimeoutMs: number;
  redisUrl: string | undefined;
  /** Namespaces every Redis key, so staging and production (or test files) can share a server. */
  redisKeyPrefix: string;
  authSecret: string;
  authUrl: string;
  corsOrigins: string[];
  logLevel: string;
  admin: { email: string; password: string } | undefined;
  s3: {
    endpoint: string | undefined;
    region: string;
    bucket: string;
    accessKeyId: string;
    secretAccessKey: string;
    forcePathStyle: boolean;
  };
  maxUploadBytes: number;
  /** Stored and pending uploads per roster entry (bytes, files) and per uploader (bytes). */
  uploadQuota: { clientBytes: number; clientFiles: number; userBytes: number };
  trustProxy: "none" | "cloudflare";
  shutdownTimeoutMs: number;
  /** How long /health reports `draining` while the listener still accepts, before it closes. */
  shutdownDrainDelayMs: number;
  /** Whether `/docs` (the interactive reference, a third-party script) is served; /openapi.json always is. */
  docsEnabled: boolean;
}

/** Thrown by loadConfig with every violated rule, so an operator fixes them all in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment into a Config, or throws a ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const placeholders = placeholderProblems(input);
  if (placeholders.length > 0) throw new ConfigError(placeholders);
  // The image sets NODE_ENV=production (dokku/Dockerfile) and APP_ENV would default to local: a
  // production container missing APP_ENV would run with development defaults. Refuse to guess.
  if (input.NODE_ENV === "production" && input.APP_ENV === undefined) {
    throw new ConfigError([
      "APP_ENV: not set while NODE_ENV=production (the image's setting); set APP_ENV=production or staging",
    ]);
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    // Schema errors come first, but the production rules still run on the fields that did parse.
    const invalid = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
    const readable = Object.fromEntries(Object.entries(input).filter(([key]) => !invalid.has(key)));
    const partial = schema.partial().safeParse(readable);
    if (partial.success) problems.push(...productionProblems(partial.data));
    throw new ConfigError(problems);
  }
  const problems = productionProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return toConfig(parsed.data);
}

/** `<…>` is how .env.example marks a value to fill in; a URL parser would accept some of them. */
function placeholderProblems(input: Record<string, string | undefined>): string[] {
  return Object.keys(schema.shape)
    .filter((key) => /<[^<>]+>/.test(input[key] ?? ""))
    .map((key) => `${key}: still a <placeholder> from .env.example; fill in the real value`);
}

type Env = z.infer<typeof schema>;

function isProductionLike(appEnv: AppEnv | undefined): boolean {
  return appEnv === "staging" || appEnv === "production";
}

/** The rules that keep a staging/production deploy from running with development settings. */
function productionProblems(env: Partial<Env>): string[] {
  if (!isProductionLike(env.APP_ENV)) return [];
  const problems: string[] = [];
  const secret = env.BETTER_AUTH_SECRET;
  if (!secret) problems.push("BETTER_AUTH_SECRET: required (generate with `openssl rand -base64 48`)");
  else if (WEAK_SECRETS.has(secret) || secret.length < 32 || new Set(secret).size < 10)
    problems.push("BETTER_AUTH_SECRET: too weak or a known default; use at least 32 random characters");
  if (env.LOG_LEVEL === "debug" || env.LOG_LEVEL === "trace")
    problems.push(`LOG_LEVEL: "${env.LOG_LEVEL}" logs request details; use info or higher`);
  for (const origin of splitOrigins(env.CORS_ORIGIN ?? "")) {
    if (origin === "*" || !origin.startsWith("https://"))
      problems.push(`CORS_ORIGIN: "${origin}" must be an exact https:// origin (never *)`);
  }
  if (!env.CORS_ORIGIN) problems.push("CORS_ORIGIN: required (the web app's https:// origin)");
  if (!env.REDIS_URL) problems.push("REDIS_URL: required (shared sessions and rate limits)");
  else if (!new URL(env.REDIS_URL).password) problems.push("REDIS_URL: must include a password");
  if (env.BETTER_AUTH_URL && !env.BETTER_AUTH_URL.startsWith("https://"))
    problems.push("BETTER_AUTH_URL: must be the public https:// API origin");
  if (env.ADMIN_PASSWORD !== undefined) {
    if (env.ADMIN_PASSWORD === DEV_ADMIN_PASSWORD || env.ADMIN_PASSWORD.length < 12)
      problems.push("ADMIN_PASSWORD: the default or shorter than 12 characters");
    if (!env.ADMIN_EMAIL) problems.push("ADMIN_EMAIL: required when ADMIN_PASSWORD is set");
  }
  const migrationProblem = migrationUrlProblem(env.DATABASE_URL, env.MIGRATION_DATABASE_URL);
  if (migrationProblem) problems.push(migrationProblem);
  if (!env.S3_ACCESS_KEY_ID || !env.S3_SECRET_ACCESS_KEY)
    problems.push("S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY: required");
  // Behind the tunnel every request comes from cloudflared: without CF-Connecting-IP all clients
  // share one address, so one person's failed sign-ins would lock everyone out.
  if (env.TRUST_PROXY !== "cloudflare")
    problems.push("TRUST_PROXY: must be cloudflare (behind the tunnel every client has cloudflared's address)");
  return problems;
}

/**
 * The release phase migrates through MIGRATION_DATABASE_URL and the API then serves through
 * DATABASE_URL: both must reach the same database on the same data nodes
 * (data-tier/create-database.sh writes them so), or the API meets a schema nobody migrated, and a
 * failover leaves the release phase pointed at a node that is no longer the primary.
 */
function migrationUrlProblem(databaseUrl?: string, migrationUrl?: string): string | undefined {
  if (!databaseUrl || !migrationUrl) return undefined;
  const api = postgresUrlTarget(databaseUrl);
  const migrations = postgresUrlTarget(migrationUrl);
  if (!api || !migrations) return undefined; // the schema check reports the URL itself
  if (api.database !== migrations.database)
    return `MIGRATION_DATABASE_URL: database "${migrations.database}" is not DATABASE_URL's "${api.database}"; the release phase would migrate another database`;
  if (api.hosts.join(",") !== migrations.hosts.join(","))
    return `MIGRATION_DATABASE_URL: hosts ${migrations.hosts.join(",")} are not DATABASE_URL's ${api.hosts.join(",")}; list every data node in both`;
  return undefined;
}

function splitOrigins(value: string): string[] {
  return value
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
}

function toConfig(env: Env): Config {
  const productionLike = isProductionLike(env.APP_ENV);
  const local = env.APP_ENV === "local";
  const adminEmail = env.ADMIN_EMAIL ?? (productionLike ? undefined : "admin@example.com");
  const adminPassword = env.ADMIN_PASSWORD ?? (productionLike ? undefined : DEV_ADMIN_PASSWORD);
  return {
    appEnv: env.APP_ENV,
    isProductionLike: productionLike,
    port: env.PORT,
    host: env.HOST ?? (productionLike ? "0.0.0.0" : "127.0.0.1"),
    version: env.APP_VERSION ?? process.env.GIT_REV ?? process.env.npm_package_version ?? "dev",
    databaseUrl: env.DATABASE_URL,
    migrationDatabaseUrl: env.MIGRATION_DATABASE_URL ?? env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    databaseConnectTimeoutS: env.DATABASE_CONNECT_TIMEOUT_S,
    databaseStatementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    authSecret: env.BETTER_AUTH_SECRET ?? DEV_AUTH_SECRET,
    authUrl: env.BETTER_AUTH_URL,
    corsOrigins: splitOrigins(env.CORS_ORIGIN),
    logLevel: env.LOG_LEVEL ?? (local ? "debug" : "info"),
    admin: adminEmail && adminPassword ? { email: adminEmail, password: adminPassword } : undefined,
    s3: {
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      accessKeyId: env.S3_ACCESS_KEY_ID ?? "S3RVER",
      secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? "S3RVER",
      forcePathStyle: env.S3_FORCE_PATH_STYLE ?? !productionLike,
    },
    maxUploadBytes: env.MAX_UPLOAD_BYTES,
    uploadQuota: {
      clientBytes: env.UPLOAD_QUOTA_CLIENT_BYTES,
      clientFiles: env.UPLOAD_QUOTA_CLIENT_FILES,
      userBytes: env.UPLOAD_QUOTA_USER_BYTES,
    },
    trustProxy: env.TRUST_PROXY,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainDelayMs: env.SHUTDOWN_DRAIN_DELAY_MS ?? (productionLike ? 3000 : 0),
    docsEnabled: env.DOCS_ENABLED ?? !productionLike,
  };
}
