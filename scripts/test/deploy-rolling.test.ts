import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listen, runScript } from "./support/script-runner.ts";

const DEPLOY = "scripts/deploy-rolling.sh";

describe("rolling deploy", () => {
  let dir: string;
  let failing: Set<string>;
  let server: Awaited<ReturnType<typeof listen>>;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "deploy-rolling-"));
    failing = new Set();
    // Plays each node's /health/ready, /health (with the version the node last got pushed) and
    // cloudflared /ready: 200 unless the test marks it failing.
    server = await listen((req, res) => {
      res.writeHead(failing.has(req.url ?? "") ? 503 : 200);
      const node = req.url?.match(/^\/node(\d+)\/health$/)?.[1];
      res.end(node ? JSON.stringify({ status: "ok", version: pushedVersion(node) }) : undefined);
    });
  });

  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The ref of the last push to the node (the push command leaves pushed-N-REF files), as Dokku's GIT_REV. */
  const pushedVersion = (node: string) =>
    readdirSync(dir)
      .filter((file) => file.startsWith(`pushed-${node}-`))
      .map((file) => file.slice(`pushed-${node}-`.length))
      .at(-1) ?? "never-pushed";

  /** A local transport: every remote action becomes a local command recorded in actions.log. */
  const localTransport = () => ({
    DEPLOY_STOP_CMD: `echo "stop {N}" >> ${dir}/actions.log`,
    DEPLOY_START_CMD: `echo "start {N}" >> ${dir}/actions.log`,
    DEPLOY_PUSH_CMD: `touch ${dir}/pushed-{N}-{REF} && echo "push {N}" >> ${dir}/actions.log`,
    DEPLOY_READY_URL: `http://127.0.0.1:${server.port}/node{N}/health/ready`,
    DEPLOY_CONNECTOR_URL: `http://127.0.0.1:${server.port}/node{N}/ready`,
    DEPLOY_VERSION_URL: `http://127.0.0.1:${server.port}/node{N}/health`,
    DEPLOY_READY_TIMEOUT_S: "2",
    DEPLOY_CONNECTOR_TIMEOUT_S: "2",
    DEPLOY_POLL_S: "0.1",
  });

  it("prints the exact command sequence for node 2 then node 1 on --dry-run", async () => {
    const result = await runScript(DEPLOY, ["--dry-run", "--ref", "v1.2.3"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    const ssh = (n: number) => `ssh -o BatchMode=yes -o ConnectTimeout=10 root@app-node-${n}`;
    const nodeSteps = (n: number) => [
      `[node ${n}] stop connector: ${ssh(n)} systemctl stop tunnel-guard cloudflared`,
      `[node ${n}] push: git push dokku-node-${n} v1.2.3:refs/heads/main`,
      `[node ${n}] api ready: until ${ssh(n)} curl -fsS -o /dev/null --max-time 2 http://localhost:3001/health/ready (timeout 120s)`,
      `[node ${n}] version: until ${ssh(n)} curl -fsS --max-time 2 http://localhost:3001/health | grep -Fq \\"version\\":\\"v1.2.3\\" (timeout 120s)`,
      `[node ${n}] start connector: ${ssh(n)} systemctl start cloudflared tunnel-guard`,
      `[node ${n}] connector ready: until curl -fsS -o /dev/null --max-time 2 http://app-node-${n}:20241/ready (timeout 60s)`,
    ];
    const precheck = (n: number) => [
      `[node ${n}] precheck api: ${ssh(n)} curl -fsS -o /dev/null --max-time 2 http://localhost:3001/health/ready`,
      `[node ${n}] precheck connector: curl -fsS -o /dev/null --max-time 2 http://app-node-${n}:20241/ready`,
    ];
    expect(lines).toEqual([...precheck(1), ...nodeSteps(2), ...precheck(2), ...nodeSteps(1)]);
  });

  it("deploys node 2 then node 1 through a local transport and prints each step's timing", async () => {
    const result = await runScript(DEPLOY, ["--ref", "HEAD"], { env: localTransport() });
    expect(result.code, result.stderr).toBe(0);

    const actions = (await readFile(path.join(dir, "actions.log"), "utf8")).trim().split("\n");
    expect(actions).toEqual(["stop 2", "push 2", "start 2", "stop 1", "push 1", "start 1"]);
    // The ref is resolved once to a full sha, so both nodes get the same commit.
    const pushed = result.stderr.match(/deploying ([0-9a-f]{40})/);
    expect(pushed?.[1]).toBeDefined();
    expect(existsSync(path.join(dir, `pushed-2-${pushed?.[1]}`))).toBe(true);
    expect(existsSync(path.join(dir, `pushed-1-${pushed?.[1]}`))).toBe(true);

    for (const step of ["stop connector", "push", "api ready", "version", "start connector", "connector ready"]) {
      expect(result.stderr).toMatch(new RegExp(`\\[node 2\\] ${step}: ok \\(\\d+\\.\\d s\\)`));
      expect(result.stderr).toMatch(new RegExp(`\\[node 1\\] ${step}: ok \\(\\d+\\.\\d s\\)`));
    }
    expect(result.stderr).toMatch(/done: [0-9a-f]{40} on node\(s\) 2 1 in \d+\.\d s/);
  });

  it("aborts when node 2 never gets ready, before touching node 1, whose connector keeps running", async () => {
    failing.add("/node2/health/ready");
    const result = await runScript(DEPLOY, ["--ref", "HEAD"], { env: localTransport() });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("ABORTED: [node 2] api ready: not ready after 2s");
    expect(result.stderr).toContain("node 2: connector left stopped");
    expect(result.stderr).toContain("untouched node(s) 1 still serve the previous release");
    const actions = (await readFile(path.join(dir, "actions.log"), "utf8")).trim().split("\n");
    expect(actions).toEqual(["stop 2", "push 2"]);
  });

  it("refuses to drain a node while the other node is not serving", async () => {
    failing.add("/node1/ready");
    const result = await runScript(DEPLOY, ["--ref", "HEAD"], { env: localTransport() });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("[node 1] precheck connector: FAILED");
    expect(result.stderr).toContain("ABORTED: [node 2] refusing to drain: no other production node is serving");
    expect(existsSync(path.join(dir, "actions.log"))).toBe(false);
  });

  it("refuses --nodes 1 while node 2 is down: it checks every production node, not only those it deploys", async () => {
    failing.add("/node2/health/ready");
    const result = await runScript(DEPLOY, ["--ref", "HEAD", "--nodes", "1"], { env: localTransport() });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("[node 2] precheck api: FAILED");
    expect(result.stderr).toContain(
      "ABORTED: [node 1] refusing to drain: no other production node is serving (checked: 2)",
    );
    expect(result.stderr).toContain("--allow-outage");
    // Nothing was drained or pushed: node 1 keeps serving.
    expect(existsSync(path.join(dir, "actions.log"))).toBe(false);
  });

  it("drains the last serving node only with --allow-outage, and says loudly that the API is down", async () => {
    failing.add("/node2/ready");
    const result = await runScript(DEPLOY, ["--ref", "HEAD", "--nodes", "1", "--allow-outage"], {
      env: localTransport(),
    });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("!!! --allow-outage: draining node 1 anyway. THE API IS DOWN");
    const actions = (await readFile(path.join(dir, "actions.log"), "utf8")).trim().split("\n");
    expect(actions).toEqual(["stop 1", "push 1", "start 1"]);
  });

  it("deploys when one other node of three is down, with a warning naming it", async () => {
    failing.add("/node3/ready");
    const result = await runScript(DEPLOY, ["--ref", "HEAD", "--nodes", "1", "--all-nodes", "1 2 3"], {
      env: localTransport(),
    });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("[node 1] warning: node(s) 3 not serving; node(s) 2 carry the traffic");
  });

  it("aborts when the node's /health still reports another version after the push", async () => {
    const env = { ...localTransport(), DEPLOY_PUSH_CMD: `echo "push {N}" >> ${dir}/actions.log` };
    const result = await runScript(DEPLOY, ["--ref", "HEAD", "--nodes", "2"], { env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/ABORTED: \[node 2\] version: not ready after 2s/);
    expect(result.stderr).toContain("node 2: connector left stopped");
  });

  it("refuses a node to deploy that is not among the production nodes", async () => {
    const result = await runScript(DEPLOY, ["--dry-run", "--nodes", "3"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("node 3 is not in --all-nodes '1 2'");
  });
});
