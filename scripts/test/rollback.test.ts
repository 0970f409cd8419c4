import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listen, REPO_ROOT, runScript } from "./support/script-runner.ts";

const ROLLBACK = path.join(REPO_ROOT, "scripts/rollback.sh");

describe("scripts/rollback.sh", () => {
  let repo: string;
  let shas: { good: string; bad: string; other: string };
  let server: Awaited<ReturnType<typeof listen>>;
  let pushed: Map<string, string>;

  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
      cwd: repo,
      encoding: "utf8",
    }).trim();
  const commit = async (file: string, message: string) => {
    await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
    await writeFile(path.join(repo, file), `${message}\n`);
    git("add", "-A");
    git("commit", "-qm", message);
    return git("rev-parse", "HEAD");
  };

  beforeEach(async () => {
    repo = await mkdtemp(path.join(tmpdir(), "rollback-"));
    git("init", "-q", "-b", "main");
    await commit("README", "first");
    const good = await commit("app.ts", "the good release");
    await commit("backend/src/db/migrations/0007_new_table.ts", "add a table");
    const bad = await commit("app.ts", "the bad release");
    git("checkout", "-q", "-b", "side", good);
    const other = await commit("side.ts", "another line");
    git("checkout", "-q", "main");
    shas = { good, bad, other };
    // Plays Dokku and the nodes: POST /push/N/SHA records a push; each node's /health reports what it
    // was last pushed; /health/ready and the connector's /ready are 200.
    pushed = new Map();
    server = await listen((req, res) => {
      const push = req.url?.match(/^\/push\/(\d+)\/([0-9a-f]{40})$/);
      if (push?.[1] && push[2]) pushed.set(push[1], push[2]);
      const node = req.url?.match(/^\/node(\d+)\/health$/)?.[1];
      res.end(node ? JSON.stringify({ status: "ok", version: pushed.get(node) ?? "none" }) : "");
    });
  });

  afterEach(async () => {
    await server.close();
    await rm(repo, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string> = {}) => runScript(ROLLBACK, args, { cwd: repo, env });

  it("shows the commits it undoes and the migrations that stay, then the forced rolling deploy of the old sha", async () => {
    const result = await run(["--to", shas.good, "--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`rolling back from ${shas.bad} to ${shas.good}, undoing 2 commit(s):`);
    expect(result.stderr).toMatch(/the bad release\n.*add a table/);
    expect(result.stderr).toContain("WARNING: migrations added since");
    expect(result.stderr).toContain("backend/src/db/migrations/0007_new_table.ts");
    const lines = result.stdout.trim().split("\n");
    expect(lines).toContain(`[node 2] push: git push --force dokku-node-2 ${shas.good}:refs/heads/main`);
    expect(lines).toContain(`[node 1] push: git push --force dokku-node-1 ${shas.good}:refs/heads/main`);
    // The same gates as a deploy: precheck of the other node, drain, ready, version, connector.
    expect(lines.filter((line) => line.startsWith("[node 2]")).map((line) => line.split(":")[0])).toEqual([
      "[node 2] stop connector",
      "[node 2] push",
      "[node 2] api ready",
      "[node 2] version",
      "[node 2] start connector",
      "[node 2] connector ready",
      "[node 2] precheck api",
      "[node 2] precheck connector",
    ]);
  });

  it("puts the old release on both nodes through the drained path, node 2 first", async () => {
    const log = path.join(repo, "actions.log");
    const env = {
      DEPLOY_STOP_CMD: `echo "stop {N}" >> ${log}`,
      DEPLOY_START_CMD: `echo "start {N}" >> ${log}`,
      DEPLOY_PUSH_CMD: `echo "push {N} {FORCE}{REF}" >> ${log} && curl -fsS -o /dev/null -X POST http://127.0.0.1:${server.port}/push/{N}/{REF}`,
      DEPLOY_READY_URL: `http://127.0.0.1:${server.port}/node{N}/health/ready`,
      DEPLOY_CONNECTOR_URL: `http://127.0.0.1:${server.port}/node{N}/ready`,
      DEPLOY_VERSION_URL: `http://127.0.0.1:${server.port}/node{N}/health`,
      DEPLOY_READY_TIMEOUT_S: "5",
      DEPLOY_CONNECTOR_TIMEOUT_S: "2",
      DEPLOY_POLL_S: "0.1",
    };
    const result = await run(["--to", shas.good], env);
    expect(result.code, result.stderr).toBe(0);
    const actions = (await readFile(log, "utf8")).trim().split("\n");
    expect(actions).toEqual([
      "stop 2",
      `push 2 --force ${shas.good}`,
      "start 2",
      "stop 1",
      `push 1 --force ${shas.good}`,
      "start 1",
    ]);
    expect(pushed).toEqual(
      new Map([
        ["2", shas.good],
        ["1", shas.good],
      ]),
    );
  });

  it("refuses a commit that is not an ancestor of the release it replaces", async () => {
    const result = await run(["--to", shas.other, "--dry-run"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is not an ancestor of 'HEAD': that is a deploy of another line");
    expect(result.stdout).toBe("");
  });

  it("refuses an unknown ref, the current release and a missing --to", async () => {
    expect((await run(["--to", "no-such-ref", "--dry-run"])).stderr).toContain("'no-such-ref' is not a commit");
    expect((await run(["--to", "HEAD", "--dry-run"])).stderr).toContain("nothing to roll back");
    const missing = await run(["--dry-run"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("--to REF is required");
  });
});
