import { execFileSync, spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./script-runner.ts";

const STAND_IN = path.join(REPO_ROOT, "scripts/test/support/dokku-stand-in.ts");

/** A tiny app in Dokku's layout for this repo: dokku/Dockerfile, dokku/Procfile, dokku/app.json. */
const SERVER = `import { createServer } from "node:http";
createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  if (req.url === "/health/ready") return res.end('{"status":"ready"}');
  if (req.url === "/health") return res.end(JSON.stringify({ status: "ok", version: process.env.GIT_REV }));
  res.statusCode = 404;
  res.end("{}");
}).listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
`;

export interface DokkuWorld {
  /** PATH entry with `dokku` (the stand-in) first. */
  bin: string;
  root: string;
  /** The app's repository as a local clone would push it. */
  work: string;
  env: Record<string, string>;
  dokku(...args: string[]): { code: number; stdout: string; stderr: string };
  git(...args: string[]): string;
  /** `git push <app's repo> <refspec>` from the work tree: exit code and output. */
  push(app: string, refspec: string, force?: boolean): { code: number; output: string };
  commit(files: Record<string, string>, message: string): Promise<string>;
  report(app: string): Record<string, unknown> & { running?: { rev: string; pid: number; port: number } };
  close(): Promise<void>;
}

/**
 * A stand-in Dokku (scripts/test/support/dokku-stand-in.ts) behind a `dokku` on PATH, and a work
 * tree holding the app: this repository's dokku/app.json (or `appJson`), a Procfile whose web
 * process answers /health and /health/ready on $PORT, and a release task.
 */
export async function dokkuWorld(options: { appJson?: string } = {}): Promise<DokkuWorld> {
  const dir = await mkdtemp(path.join(tmpdir(), "dokku-"));
  const bin = path.join(dir, "bin");
  const root = path.join(dir, "root");
  const work = path.join(dir, "work");
  await mkdir(bin);
  await mkdir(root);
  await mkdir(path.join(work, "dokku"), { recursive: true });
  await writeFile(path.join(bin, "dokku"), `#!/bin/sh\nexec "${process.execPath}" "${STAND_IN}" "$@"\n`);
  await chmod(path.join(bin, "dokku"), 0o755);
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    DOKKU_STAND_IN_ROOT: root,
    DOKKU_STAND_IN_TIME_SCALE: "0.05",
  };
  const run = (cmd: string, args: string[], cwd = work) => {
    const result = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
    return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
  };
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
      cwd: work,
      env: { ...process.env, ...env },
      encoding: "utf8",
    }).trim();
  const commit = async (files: Record<string, string>, message: string) => {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(work, file)), { recursive: true });
      await writeFile(path.join(work, file), content);
    }
    git("add", "-A");
    git("commit", "-qm", message);
    return git("rev-parse", "HEAD");
  };
  git("init", "-q", "-b", "main");
  await commit(
    {
      "dokku/Dockerfile": "FROM node:24-slim\n",
      "dokku/Procfile": "web: node server.mjs\nrelease: echo migrated >> release.log\n",
      "dokku/app.json": options.appJson ?? (await readFile(path.join(REPO_ROOT, "dokku/app.json"), "utf8")),
      "server.mjs": SERVER,
    },
    "the app",
  );
  const dokku = (...args: string[]) => run("dokku", args);
  return {
    bin,
    root,
    work,
    env,
    dokku,
    git,
    commit,
    push: (app, refspec, force = false) => {
      const repo = path.join(root, "apps", app, "repo.git");
      const result = run("git", ["push", ...(force ? ["--force"] : []), repo, refspec]);
      return { code: result.code, output: result.stdout + result.stderr };
    },
    report: (app) => JSON.parse(dokku("report", app).stdout),
    close: async () => {
      for (const app of ["coaching-app", "coaching-app-staging"]) dokku("ps:stop", app);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
