import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { describe, expect, it } from "vitest";
import { ConfigError, DEV_AUTH_SECRET, loadConfig } from "./config.ts";

const DB = "postgres://app:pw@127.0.0.1:5432/app";
const STRONG = "Zq8vN3rT6yW1pK4sX7cB0mJ5hG2fD9aLeU";

const production = {
  APP_ENV: "production",
  DATABASE_URL: DB,
  REDIS_URL: "redis://:s3cret-pass@10.0.0.2:6379",
  BETTER_AUTH_SECRET: STRONG,
  BETTER_AUTH_URL: "https://api.example.com",
  CORS_ORIGIN: "https://app.example.com",
  LOG_LEVEL: "info",
  ADMIN_EMAIL: "ops@example.com",
  ADMIN_PASSWORD: "a-long-admin-passphrase",
  S3_ENDPOINT: "https://acct.r2.cloudflarestorage.com",
  S3_ACCESS_KEY_ID: "key",
  S3_SECRET_ACCESS_KEY: "secret-key",
  S3_FORCE_PATH_STYLE: "false",
  TRUST_PROXY: "cloudflare",
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("gives local defaults with only DATABASE_URL set", () => {
    const config = loadConfig({ DATABASE_URL: DB });
    expect(config).toMatchObject({
      appEnv: "local",
      port: 3001,
      host: "127.0.0.1",
      redisUrl: undefined,
      authSecret: DEV_AUTH_SECRET,
      corsOrigins: ["http://localhost:5173"],
      logLevel: "debug",
      admin: { email: "admin@example.com", password: "admin-demo-password" },
      maxUploadBytes: 52_428_800,
      trustProxy: "none",
      shutdownTimeoutMs: 25_000,
    });
    expect(config.s3.forcePathStyle).toBe(true);
  });

  it("accepts a complete production configuration and binds 0.0.0.0", () => {
    const config = loadConfig(production);
    expect(config.isProductionLike).toBe(true);
    expect(config.host).toBe("0.0.0.0");
    expect(config.logLevel).toBe("info");
    expect(config.s3.forcePathStyle).toBe(false);
  });

  it("reports every production violation in one error", () => {
    const problems = problemsOf({
      APP_ENV: "production",
      DATABASE_URL: DB,
      REDIS_URL: "redis://10.0.0.2:6379",
      BETTER_AUTH_SECRET: DEV_AUTH_SECRET,
      BETTER_AUTH_URL: "http://api.example.com",
      CORS_ORIGIN: "*,http://app.example.com",
      LOG_LEVEL: "debug",
      ADMIN_EMAIL: "ops@example.com",
      ADMIN_PASSWORD: "admin-demo-password",
    });
    const fields = problems.map((p) => p.split(":")[0]);
    expect(fields).toEqual([
      "BETTER_AUTH_SECRET",
      "LOG_LEVEL",
      "CORS_ORIGIN",
      "CORS_ORIGIN",
      "REDIS_URL",
      "BETTER_AUTH_URL",
      "ADMIN_PASSWORD",
      "S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY",
      "TRUST_PROXY",
    ]);
  });

  it.each([
    ["a missing secret", { BETTER_AUTH_SECRET: undefined }, "BETTER_AUTH_SECRET: required"],
    ["a short secret", { BETTER_AUTH_SECRET: "short-secret" }, "BETTER_AUTH_SECRET: too weak"],
    ["a low-entropy secret", { BETTER_AUTH_SECRET: "a".repeat(40) }, "BETTER_AUTH_SECRET: too weak"],
    ["trace logging", { LOG_LEVEL: "trace" }, "LOG_LEVEL"],
    ["a wildcard origin", { CORS_ORIGIN: "*" }, 'CORS_ORIGIN: "*"'],
    ["a missing Redis", { REDIS_URL: undefined }, "REDIS_URL: required"],
    ["Redis without a password", { REDIS_URL: "redis://10.0.0.2:6379" }, "REDIS_URL: must include a password"],
    ["a short admin password", { ADMIN_PASSWORD: "short-pass" }, "ADMIN_PASSWORD"],
  ])("refuses %s in production", (_name, change, expected) => {
    const problems = problemsOf({ ...production, ...change });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it("serves /docs by default only outside staging and production; DOCS_ENABLED decides either way", () => {
    expect(loadConfig({ DATABASE_URL: DB }).docsEnabled).toBe(true);
    expect(loadConfig(production).docsEnabled).toBe(false);
    expect(loadConfig({ ...production, DOCS_ENABLED: "true" }).docsEnabled).toBe(true);
    expect(loadConfig({ DATABASE_URL: DB, DOCS_ENABLED: "false" }).docsEnabled).toBe(false);
    expect(problemsOf({ DATABASE_URL: DB, DOCS_ENABLED: "yes" })).toEqual([expect.stringMatching(/^DOCS_ENABLED: /)]);
  });

  it("refuses to start with NODE_ENV=production (the image) and no APP_ENV, and behind no trusted proxy", () => {
    expect(problemsOf({ DATABASE_URL: DB, NODE_ENV: "production" })).toEqual([
      "APP_ENV: not set while NODE_ENV=production (the image's setting); set APP_ENV=production or staging",
    ]);
    expect(problemsOf({ DATABASE_URL: DB, NODE_ENV: "production", APP_ENV: "local" })).toEqual([]);
    expect(problemsOf({ ...production, TRUST_PROXY: "none" })).toEqual([
      "TRUST_PROXY: must be cloudflare (behind the tunnel every client has cloudflared's address)",
    ]);
    expect(problemsOf({ ...production, TRUST_PROXY: undefined, APP_ENV: "staging" })).toEqual([
      "TRUST_PROXY: must be cloudflare (behind the tunnel every client has cloudflared's address)",
    ]);
  });

  it("applies the same rules to staging", () => {
    expect(problemsOf({ ...production, APP_ENV: "staging", LOG_LEVEL: "debug" })).toHaveLength(1);
  });

  it("says a missing DATABASE_URL is not set, and a wrong one is not a postgres:// URL", () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^DATABASE_URL: is not set \(postgres:\/\//)]);
    expect(problemsOf({ DATABASE_URL: "mysql://x" })).toEqual(["DATABASE_URL: must be a postgres:// URL"]);
  });

  it("accepts a DATABASE_URL listing every data node when it asks for the primary", () => {
    const hosts = "postgres://app:pw@data-node-1:5432,data-node-2:5433/coaching";
    const config = loadConfig({ DATABASE_URL: `${hosts}?target_session_attrs=primary` });
    expect(config.databaseUrl).toBe(`${hosts}?target_session_attrs=primary`);
    expect(config.databaseConnectTimeoutS).toBe(2);
    expect(problemsOf({ DATABASE_URL: hosts })).toEqual([
      "DATABASE_URL: lists 2 hosts: add ?target_session_attrs=primary so the API always writes to the primary",
    ]);
    expect(problemsOf({ DATABASE_URL: `${hosts}?target_session_attrs=any` })).toEqual([
      expect.stringMatching(/^DATABASE_URL: target_session_attrs=any is not one of read-write, /),
    ]);
    expect(problemsOf({ DATABASE_URL: "postgres://app@data-node-1:5432,:5432/coaching" })).toEqual([
      'DATABASE_URL: host ":5432" in the host list is not host or host:port',
    ]);
    expect(problemsOf({ DATABASE_URL: "postgres://app@h1:99999/coaching" })).toEqual([
      'DATABASE_URL: host "h1:99999" has an invalid port',
    ]);
    expect(problemsOf({ DATABASE_URL: "postgres://app@[::1]:5432/coaching" })).toEqual([
      expect.stringMatching(/^DATABASE_URL: host "\[::1\]:5432": use a host name/),
    ]);
    expect(problemsOf({ DATABASE_URL: DB, MIGRATION_DATABASE_URL: "http://x" })).toEqual([
      "MIGRATION_DATABASE_URL: must be a postgres:// URL",
    ]);
  });

  it("in production, wants MIGRATION_DATABASE_URL on DATABASE_URL's database and data nodes", () => {
    const url = (user: string, hosts: string, database = "coaching") =>
      `postgres://${user}:pw@${hosts}/${database}?target_session_attrs=primary`;
    const both = "10.0.0.5:5432,10.0.0.6:5432";
    const api = url("coaching_app", both);
    // Same nodes in another order, the default port written out or not: the same database.
    expect(
      problemsOf({
        ...production,
        DATABASE_URL: api,
        MIGRATION_DATABASE_URL: url("coaching_owner", "10.0.0.6,10.0.0.5"),
      }),
    ).toEqual([]);
    expect(
      problemsOf({ ...production, DATABASE_URL: api, MIGRATION_DATABASE_URL: url("coaching_owner", "10.0.0.5:5432") }),
    ).toEqual([
      "MIGRATION_DATABASE_URL: hosts 10.0.0.5:5432 are not DATABASE_URL's 10.0.0.5:5432,10.0.0.6:5432; list every data node in both",
    ]);
    expect(
      problemsOf({ ...production, DATABASE_URL: api, MIGRATION_DATABASE_URL: url("x", both, "coaching_staging") }),
    ).toEqual([
      'MIGRATION_DATABASE_URL: database "coaching_staging" is not DATABASE_URL\'s "coaching"; the release phase would migrate another database',
    ]);
    // Outside production a test harness may point them anywhere.
    expect(problemsOf({ DATABASE_URL: api, MIGRATION_DATABASE_URL: url("x", both, "other") })).toEqual([]);
  });

  it("names every value still left as a <placeholder> of .env.example, which a shell can source", () => {
    const examplePath = new URL("../../.env.example", import.meta.url).pathname;
    const example = parseEnv(readFileSync(examplePath, "utf8")) as Record<string, string>;
    const withPlaceholders = Object.keys(example).filter((key) => example[key]?.includes("<"));
    expect(withPlaceholders).toEqual(expect.arrayContaining(["DATABASE_URL", "BETTER_AUTH_SECRET"]));
    expect(problemsOf(example).sort()).toEqual(
      withPlaceholders.map((key) => `${key}: still a <placeholder> from .env.example; fill in the real value`).sort(),
    );
    const sourced = spawnSync("bash", ["-c", `set -a; . "${examplePath}"; printf %s "$BETTER_AUTH_SECRET"`], {
      encoding: "utf8",
    });
    expect(sourced.stderr).toBe("");
    expect(sourced.stdout).toBe(example.BETTER_AUTH_SECRET);
  });

  it("lists schema errors and production rules together", () => {
    const problems = problemsOf({ ...production, DATABASE_URL: "mysql://x", PORT: "99999", LOG_LEVEL: "debug" });
    expect(problems.some((p) => p.startsWith("DATABASE_URL"))).toBe(true);
    expect(problems.some((p) => p.startsWith("PORT"))).toBe(true);
    expect(problems.some((p) => p.startsWith("LOG_LEVEL"))).toBe(true);
  });

  it("exits non-zero from the real entry point with the whole list", async () => {
    const { spawnSync } = await import("node:child_process");
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: new URL("..", import.meta.url).pathname,
      env: { PATH: process.env.PATH, APP_ENV: "production", DATABASE_URL: DB, LOG_LEVEL: "debug" },
      encoding: "utf8",
      timeout: 100_000, // a tsx start on a loaded machine: a hang guard, not a speed bound
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Invalid configuration");
    for (const field of ["BETTER_AUTH_SECRET", "LOG_LEVEL", "REDIS_URL", "S3_ACCESS_KEY_ID"]) {
      expect(result.stderr).toContain(field);
    }
  });
});
