import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runScript } from "./support/script-runner.ts";

/** Every operator script, found by glob so scripts added later are covered too. */
const SCRIPTS = ["dokku", "cloudflared", "data-tier", "scripts"]
  .flatMap((dir) =>
    readdirSync(path.join(REPO_ROOT, dir), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".sh") && !file.split(path.sep).includes("node_modules"))
      .map((file) => path.join(dir, file)),
  )
  .sort();

const SECRET = "sentinel-SECRET-value-9f8e7d6c5b4a";

describe("operator scripts", () => {
  it("finds the scripts to check", () => {
    expect(SCRIPTS).toEqual(
      expect.arrayContaining([
        "cloudflared/setup-replica.sh",
        "cloudflared/tunnel-guard.sh",
        "dokku/setup-app-node.sh",
        "data-tier/setup-data-node.sh",
        "data-tier/restore-check.sh",
        "data-tier/rebuild-node.sh",
        "data-tier/check.sh",
        "data-tier/backup.sh",
        "scripts/deploy-rolling.sh",
      ]),
    );
  });

  it("are shellcheck clean", () => {
    const version = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
    if (version.error) {
      throw new Error("shellcheck is not installed: apt-get install -y shellcheck (Debian/Ubuntu)");
    }
    for (const script of SCRIPTS) {
      const result = spawnSync("shellcheck", ["--external-sources", script], { cwd: REPO_ROOT, encoding: "utf8" });
      expect(`${script}: exit ${result.status}\n${result.stdout}${result.stderr}`).toBe(`${script}: exit 0\n`);
    }
  });

  it.each(SCRIPTS)("%s parses with bash -n", (script) => {
    const result = spawnSync("bash", ["-n", script], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it.each(SCRIPTS)("%s answers --help with a usage text and exit 0", async (script) => {
    const result = await runScript(script, ["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage:/im);
  });
});

describe("GitHub workflows", () => {
  const workflows = readdirSync(path.join(REPO_ROOT, ".github/workflows")).filter((file) => file.endsWith(".yml"));

  it.each(workflows)("%s passes action-validator (the schema GitHub Actions reads)", (file) => {
    const validator = path.join(REPO_ROOT, "node_modules/.bin/action-validator");
    const result = spawnSync(validator, [path.join(".github/workflows", file)], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(`${file}: exit ${result.status}\n${result.stdout}${result.stderr}`).toBe(`${file}: exit 0\n`);
  });

  it("release the API first, then the web app built for it, then run the live checklist", async () => {
    const deploy = await readFile(path.join(REPO_ROOT, ".github/workflows/deploy.yml"), "utf8");
    const needs = (job: string) => deploy.match(new RegExp(`^  ${job}:\\n(?:    .*\\n)*?    needs: (\\w+)`, "m"))?.[1];
    expect(needs("web")).toBe("api");
    expect(needs("preflight")).toBe("web");
    expect(deploy).toMatch(/pnpm preflight -- --live "\$\{\{ vars\.API_URL \}\}" --web "\$\{\{ vars\.WEB_URL \}\}"/);
    // No other workflow publishes the web app on its own (it would race the API deploy).
    for (const file of workflows.filter((f) => f !== "deploy.yml")) {
      expect(await readFile(path.join(REPO_ROOT, ".github/workflows", file), "utf8")).not.toContain("pages deploy");
    }
  });
});

describe("setup scripts in --dry-run", () => {
  let dir: string;
  let envFile: string;
  let fakeBin: string;
  let executed: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "setup-dry-run-"));
    envFile = path.join(dir, "production.env");
    await writeFile(
      envFile,
      [
        "# production settings",
        "APP_ENV=production",
        `DATABASE_URL=postgres://postgres:${SECRET}@10.0.0.5:5432/coaching_app_db`,
        `REDIS_URL=redis://:${SECRET}@10.0.0.5:6379`,
        `BETTER_AUTH_SECRET="${SECRET}"`,
        "BETTER_AUTH_URL=https://api.example.com",
        "CORS_ORIGIN=https://app.example.com",
        "S3_ENDPOINT=https://account.r2.cloudflarestorage.com",
        "S3_BUCKET=coaching-app",
        "S3_ACCESS_KEY_ID=key-id",
        `export S3_SECRET_ACCESS_KEY=${SECRET}`,
        "SHUTDOWN_TIMEOUT_MS=25000",
        "",
      ].join("\n"),
    );
    // Stand-ins that record any call: a dry run must not execute a single one.
    fakeBin = path.join(dir, "bin");
    executed = path.join(dir, "executed.log");
    await mkdir(fakeBin);
    for (const tool of ["dokku", "ufw", "apt-get", "systemctl", "cloudflared", "scp", "ssh", "openssl"]) {
      const file = path.join(fakeBin, tool);
      await writeFile(file, `#!/bin/sh\necho "${tool} $*" >> ${executed}\n`);
      await chmod(file, 0o755);
    }
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const env = () => ({ PATH: `${fakeBin}:${process.env.PATH}` });

  it("setup-app-node prints the exact Dokku and ufw commands without running them or printing secrets", async () => {
    const result = await runScript("dokku/setup-app-node.sh", ["--dry-run", "--env-file", envFile], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "dokku apps:create coaching-app",
        "dokku builder-dockerfile:set coaching-app dockerfile-path dokku/Dockerfile",
        "dokku app-json:set coaching-app appjson-path dokku/app.json",
        "dokku ps:set coaching-app procfile-path dokku/Procfile",
        "dokku ps:set coaching-app stop-timeout-seconds 30",
        "dokku ports:set coaching-app http:3001:3001",
        "ufw default deny incoming",
        "ufw allow in on tailscale0 to any port 22 proto tcp",
      ]),
    );
    const configSet = lines.find((line) => line.startsWith("dokku config:set --no-restart coaching-app "));
    expect(configSet).toContain("BETTER_AUTH_SECRET=<redacted>");
    expect(configSet).toContain("S3_SECRET_ACCESS_KEY=<redacted>");
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(existsSync(executed)).toBe(false);
  });

  it("setup-app-node refuses a stop timeout that would cut the API's graceful shutdown short", async () => {
    const result = await runScript(
      "dokku/setup-app-node.sh",
      ["--dry-run", "--env-file", envFile, "--stop-timeout", "20"],
      { env: env() },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("SHUTDOWN_TIMEOUT_MS (25000) must be below the stop timeout (20s)");
    expect(result.stderr).not.toContain(SECRET);
  });

  /** A secrets file as make-secrets.sh writes it, its placeholders filled in. */
  const dataTierSecrets = async () => {
    const file = path.join(dir, "data-tier.env");
    await rm(file, { force: true });
    const made = spawnSync("bash", ["data-tier/make-secrets.sh", "--out", file], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(made.status, made.stderr).toBe(0);
    const text = (await readFile(file, "utf8"))
      .replace(/^PGBACKREST_S3_ENDPOINT=.*$/m, "PGBACKREST_S3_ENDPOINT=https://acct.r2.cloudflarestorage.com")
      .replace(/<[^>\n]*>/g, `filled-${SECRET}`);
    await writeFile(file, text, { mode: 0o600 });
    return file;
  };
  const setupDataNode = async (address: string) =>
    runScript(
      "data-tier/setup-data-node.sh",
      [
        "--dry-run",
        ...["--name", "data-node-1", "--address", address, "--redis"],
        ...["--etcd", "10.0.0.11:2379,10.0.0.12:2379,10.0.0.5:2379", "--app-nodes", "10.0.0.11,10.0.0.12"],
        ...["--secrets", await dataTierSecrets()],
      ],
      { env: env() },
    );

  it("setup-data-node prints its plan: Postgres, Patroni's API and Redis open to the app nodes only, every timer", async () => {
    const result = await setupDataNode("10.0.0.5");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual(
      expect.arrayContaining([
        "ufw default deny incoming",
        "ufw allow from 10.0.0.11 to 10.0.0.5 port 5432 proto tcp",
        "ufw allow from 10.0.0.12 to 10.0.0.5 port 8008 proto tcp",
        "ufw allow from 10.0.0.12 to 10.0.0.5 port 6379 proto tcp",
        "ufw allow in on tailscale0 to any port 22 proto tcp",
        "systemctl enable --now coaching-pgbackrest-backup.timer",
        "systemctl enable --now coaching-pg-heartbeat.timer",
        "systemctl enable --now coaching-restore-check.timer",
      ]),
    );
    expect(result.stdout).not.toMatch(/ufw allow (from any|\d+\/tcp$)/m);
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
    expect(existsSync(executed)).toBe(false);
  });

  it("setup-data-node refuses to let Postgres listen on a public address", async () => {
    const result = await setupDataNode("203.0.113.7");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is not a private address");
    expect(existsSync(executed)).toBe(false);
  });

  it("setup-etcd writes the member's /etc/default/etcd with mode 600, its address and all three peers", async () => {
    const root = path.join(dir, "etcd-root");
    const members = "app-node-1=10.0.0.11,app-node-2=10.0.0.12,data-node-1=10.0.0.5";
    const args = ["--root", root, "--name", "data-node-1", "--address", "10.0.0.5", "--members", members];
    const result = await runScript("data-tier/setup-etcd.sh", [...args, "--clients", "10.0.0.5,10.0.0.6"], {
      env: env(),
    });
    expect(result.code, result.stderr).toBe(0);
    const file = path.join(root, "etc/default/etcd");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, "utf8");
    expect(text).toContain("ETCD_LISTEN_PEER_URLS=http://10.0.0.5:2380\n");
    expect(text).toContain(
      "ETCD_INITIAL_CLUSTER=app-node-1=http://10.0.0.11:2380,app-node-2=http://10.0.0.12:2380,data-node-1=http://10.0.0.5:2380\n",
    );
    const wrong = await runScript(
      "data-tier/setup-etcd.sh",
      ["--dry-run", ...args.slice(2, 6), "--members", members.replace("10.0.0.5", "10.0.0.9"), "--clients", "10.0.0.5"],
      { env: env() },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("not --address 10.0.0.5");
  });

  const tunnelId = "6ff42ae2-765d-4adf-8112-31c55c1551ef";
  const credentials = async (id = tunnelId) => {
    const file = path.join(dir, `${id}.json`);
    await writeFile(file, JSON.stringify({ AccountTag: "acct", TunnelSecret: SECRET, TunnelID: id, Endpoint: "" }));
    return file;
  };

  it("setup-replica prints the cloudflared, unit and tunnel guard installation without running it or a secret", async () => {
    const result = await runScript(
      "cloudflared/setup-replica.sh",
      [
        "--dry-run",
        "--tunnel-id",
        tunnelId,
        "--credentials",
        await credentials(),
        "--peers",
        "app-node-2",
        "--metrics-address",
        "100.101.102.103:20241",
      ],
      { env: env() },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual(
      expect.arrayContaining([
        "apt-get install -y cloudflared",
        `write /etc/cloudflared/${tunnelId}.json (mode 0600)`,
        "write /etc/cloudflared/config.yml (mode 0644)",
        "cloudflared tunnel --config /etc/cloudflared/config.yml ingress validate",
        "write /etc/systemd/system/cloudflared.service (mode 0644)",
        "systemctl enable --now cloudflared",
        "write /etc/default/tunnel-guard (mode 0600)",
        "systemctl enable --now tunnel-guard",
      ]),
    );
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(existsSync(executed)).toBe(false);
  });

  it("setup-replica --staging sets up staging's own tunnel and unit, without a guard", async () => {
    const staging = "0d1f6a77-3a0e-4a52-9b1c-0d2b5a3c7e11";
    const result = await runScript(
      "cloudflared/setup-replica.sh",
      ["--dry-run", "--staging", "--tunnel-id", staging, "--credentials", await credentials(staging)],
      { env: env() },
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toContain("write /etc/cloudflared/staging.yml (mode 0644)");
    expect(lines).toContain("write /etc/systemd/system/cloudflared-staging.service (mode 0644)");
    expect(lines).toContain("systemctl enable --now cloudflared-staging");
    expect(lines.some((line) => line.includes("tunnel-guard"))).toBe(false);
  });

  it("setup-replica checks its inputs in --dry-run: credentials that exist and are this tunnel's, peers", async () => {
    const run = (args: string[]) =>
      runScript("cloudflared/setup-replica.sh", ["--dry-run", "--tunnel-id", tunnelId, ...args], { env: env() });
    const missing = await run(["--credentials", "/nonexistent.json", "--peers", "app-node-2"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot read --credentials '/nonexistent.json'");
    const other = await run([
      "--credentials",
      await credentials("11111111-2222-4333-8444-555555555555"),
      "--peers",
      "n2",
    ]);
    expect(other.stderr).toContain(`the credentials are for another tunnel than ${tunnelId}`);
    const noPeers = await run(["--credentials", await credentials()]);
    expect(noPeers.stderr).toContain("--peers is required");
    const copyFrom = await run(["--copy-from", "root@app-node-1"]);
    expect(copyFrom.stderr).toContain("--copy-from is gone: it needed SSH trust between nodes");
    expect(existsSync(executed)).toBe(false);
  });
});
