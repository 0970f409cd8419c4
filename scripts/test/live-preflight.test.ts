// `pnpm preflight --live` against the production deployment in miniature (support/live-stack.ts):
// all ✓ as deployed, and each of five broken settings gives its own ✗ and exit 1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../lib/free-port.ts";
import { type LiveStack, startLiveStack } from "./support/live-stack.ts";
import { runCommand } from "./support/run-command.ts";
import { REPO_ROOT } from "./support/script-runner.ts";

let stack: LiveStack;

beforeAll(async () => {
  stack = await startLiveStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function preflight(extra: string[] = []) {
  // A deploy signs the check account in once; these tests do it a dozen times a minute, past the
  // sign-in limit (docs/api.md § Rate limits).
  await stack.resetRateLimits();
  const result = await runCommand(
    "pnpm",
    [
      "-C",
      REPO_ROOT,
      "--silent",
      "preflight",
      "--",
      "--live",
      stack.apiUrl,
      "--web",
      stack.webUrl,
      "--ca",
      stack.caFile,
      ...extra,
    ],
    { env: { ...process.env, PREFLIGHT_EMAIL: stack.account.email, PREFLIGHT_PASSWORD: stack.account.password } },
  );
  const lines = result.stdout.split("\n");
  const failed = lines.filter((line) => line.startsWith("✗")).map((line) => line.slice(2));
  return { ...result, lines, failed, failedLabels: failed.map((line) => line.split(":")[0]) };
}

describe("pnpm preflight --live", () => {
  it("passes every check against the deployment as built", async () => {
    const result = await preflight(["--expect-version", "live-check"]);
    expect(result.failed, result.stdout + result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("all 15 checks passed");
    expect(result.stdout).toContain("✓ API database and Redis (/health/ready): 200, the primary answers, Redis ok");
    expect(result.stdout).toMatch(/✓ API session cookie: __Host-better-auth\.session_token; .*Secure/);
    expect(result.stdout).toContain("✓ web bundle calls the API");
  });

  it("fails /health when it reports another version than the one deployed", async () => {
    const result = await preflight(["--expect-version", "abc1234"]);
    expect(result.code).toBe(1);
    expect(result.failed).toEqual(["API /health: version live-check, expected abc1234"]);
  });

  it.each([
    [
      "a security header the edge strips",
      "security-header",
      ["API security headers: X-Content-Type-Options: (missing)"],
    ],
    ["a session cookie without Secure", "cookie-secure", ["API session cookie: no Secure"]],
    [
      "CORS open to any origin",
      "cors-any",
      [
        "API CORS allows the web origin: Access-Control-Allow-Origin: *",
        `API CORS refuses other origins: Access-Control-Allow-Origin: * (any site)`,
      ],
    ],
  ] as const)("names %s", async (_, breakage, expected) => {
    await stack.edge(breakage);
    try {
      const result = await preflight();
      expect(result.code).toBe(1);
      expect(result.failed, result.stdout).toEqual(expected);
    } finally {
      await stack.edge("none");
    }
  });

  it("names /docs served in production", async () => {
    await stack.restartApi({ DOCS_ENABLED: "true" });
    try {
      const result = await preflight();
      expect(result.code).toBe(1);
      expect(result.failed, result.stdout).toEqual([
        "API /docs not served: 200: set DOCS_ENABLED=false (docs/configuration.md)",
      ]);
    } finally {
      await stack.restartApi();
    }
  });

  it("names a web app built for another API", async () => {
    await stack.serveWeb({ apiOrigin: "https://api.wrong.example" });
    try {
      const result = await preflight();
      expect(result.code).toBe(1);
      expect(result.failedLabels, result.stdout).toEqual(["web Content-Security-Policy", "web bundle calls the API"]);
      expect(result.failed[1]).toContain("its connect-src names https://api.wrong.example");
      expect(result.failed[1]).toContain(`rebuild with VITE_API_URL=${stack.apiUrl}`);
    } finally {
      await stack.serveWeb("built");
    }
  });

  it("names the data tier behind /health/ready: Redis unreachable, then no primary", async () => {
    const nothing = `127.0.0.1:${await freePort()}`;
    try {
      await stack.restartApi({ REDIS_URL: `redis://:unreachable-password@${nothing}` });
      const noRedis = await preflight();
      expect(noRedis.code).toBe(1);
      expect(noRedis.failed, noRedis.stdout).toEqual([
        "API database and Redis (/health/ready): the primary answers; Redis down: the API serves without it, with sessions from Postgres",
      ]);
      await stack.restartApi({ DATABASE_URL: `postgres://app:pw@${nothing}/live` });
      const noPrimary = await preflight();
      expect(noPrimary.code).toBe(1);
      expect(noPrimary.failed, noPrimary.stdout).toContain(
        "API database and Redis (/health/ready): 503, database down: no data node answers as the primary (data-tier/check.sh)",
      );
    } finally {
      await stack.restartApi();
    }
  });

  it("refuses --live without --web, and a certificate it cannot trust", async () => {
    const half = await runCommand("pnpm", ["-C", REPO_ROOT, "--silent", "preflight", "--", "--live", stack.apiUrl]);
    expect(half.code).toBe(1);
    expect(half.stderr).toContain("--live and --web go together");
    const untrusted = await runCommand("pnpm", [
      "-C",
      REPO_ROOT,
      "--silent",
      "preflight",
      "--",
      "--live",
      stack.apiUrl,
      "--web",
      stack.webUrl,
    ]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toMatch(/✗ API TLS certificate: not trusted: /);
  });
});
