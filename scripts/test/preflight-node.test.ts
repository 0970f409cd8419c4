import { chmod, mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runScript } from "./support/script-runner.ts";

const PREFLIGHT = "scripts/preflight-node.sh";

/** What the node's tools print; the fake ufw, ss, systemctl and apt-config print these files. */
interface NodeOutputs {
  ufw: string;
  ss: string;
  units: Record<string, string>;
  apt: string;
}

const GOOD: NodeOutputs = {
  ufw: [
    "Status: active",
    "Logging: on (low)",
    "Default: deny (incoming), allow (outgoing), disabled (routed)",
    "New profiles: skip",
    "",
    "To                         Action      From",
    "--                         ------      ----",
    "22/tcp on tailscale0       ALLOW IN    Anywhere",
    "20241/tcp on tailscale0    ALLOW IN    Anywhere",
    "22/tcp (v6) on tailscale0  ALLOW IN    Anywhere (v6)",
  ].join("\n"),
  ss: [
    "LISTEN 0      511        127.0.0.1:3001       0.0.0.0:*",
    "LISTEN 0      511            [::1]:3001          [::]:*",
    "LISTEN 0      128          0.0.0.0:22         0.0.0.0:*",
    "LISTEN 0      128             [::]:22            [::]:*",
    "LISTEN 0      4096  100.101.102.103:20241      0.0.0.0:*",
    "LISTEN 0      4096   127.0.0.53%lo:53         0.0.0.0:*",
    "LISTEN 0      4096       10.0.0.11:9100       0.0.0.0:*",
  ].join("\n"),
  units: { cloudflared: "active", "tunnel-guard": "active", "coaching-heartbeat.timer": "active" },
  apt: ['APT::Periodic "";', 'APT::Periodic::Update-Package-Lists "1";', 'APT::Periodic::Unattended-Upgrade "1";'].join(
    "\n",
  ),
};

describe("scripts/preflight-node.sh", () => {
  let dir: string;
  let root: string;
  let bin: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "preflight-node-"));
    root = path.join(dir, "root");
    bin = path.join(dir, "bin");
    await mkdir(bin);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function prepare(outputs: NodeOutputs, files: Record<string, { mode: number; ageH?: number }>) {
    await writeFile(path.join(dir, "ufw.out"), `${outputs.ufw}\n`);
    await writeFile(path.join(dir, "ss.out"), `${outputs.ss}\n`);
    await writeFile(path.join(dir, "apt.out"), `${outputs.apt}\n`);
    const units = Object.entries(outputs.units)
      .map(([unit, state]) => `${unit}) echo ${state}; [ ${state} = active ] ;;`)
      .join(" ");
    const tools = {
      ufw: `[ "$1 $2" = "status verbose" ] && cat ${dir}/ufw.out`,
      ss: `[ "$1" = "-H" ] && [ "$2" = "-ltn" ] && cat ${dir}/ss.out`,
      "apt-config": `[ "$1" = dump ] && cat ${dir}/apt.out`,
      systemctl: `[ "$1" = is-active ] || exit 1; case "$2" in ${units} *) echo inactive; exit 3 ;; esac`,
    };
    for (const [tool, body] of Object.entries(tools)) {
      await writeFile(path.join(bin, tool), `#!/bin/sh\n${body}\n`);
      await chmod(path.join(bin, tool), 0o755);
    }
    for (const [file, { mode, ageH }] of Object.entries(files)) {
      const full = path.join(root, file);
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, "x\n");
      await chmod(full, mode);
      if (ageH !== undefined) {
        const at = new Date(Date.now() - ageH * 3_600_000);
        await utimes(full, at, at);
      }
    }
  }

  const run = (args: string[] = [], env: Record<string, string> = {}) =>
    runScript(PREFLIGHT, ["--root", root, ...args], { env: { PATH: `${bin}:${process.env.PATH}`, ...env } });

  /** data-tier/check.sh's output (the real one runs against Patroni in drills-data-tier.test.ts). */
  async function dataTierCheck(lines: string[]) {
    const file = path.join(dir, "check.sh");
    await writeFile(path.join(dir, "check.out"), `${lines.join("\n")}\n`);
    const failed = lines.filter((line) => line.startsWith("✗")).length;
    await writeFile(file, `#!/bin/sh\ncat ${dir}/check.out\nexit ${failed ? 1 : 0}\n`);
    await chmod(file, 0o755);
    return { DATA_TIER_CHECK: file };
  }
  const DATA_NODE: NodeOutputs = {
    ...GOOD,
    ss: [
      "LISTEN 0      244         10.0.0.5:5432       0.0.0.0:*",
      "LISTEN 0      5           10.0.0.5:8008       0.0.0.0:*",
      "LISTEN 0      4096        10.0.0.5:2379       0.0.0.0:*",
      "LISTEN 0      511        127.0.0.1:6379       0.0.0.0:*",
      "LISTEN 0      511         10.0.0.5:6379       0.0.0.0:*",
      "LISTEN 0      128          0.0.0.0:22         0.0.0.0:*",
    ].join("\n"),
    units: {
      etcd: "active",
      patroni: "active",
      "coaching-pgbackrest-backup.timer": "active",
      "coaching-pg-heartbeat.timer": "active",
      "coaching-restore-check.timer": "active",
    },
  };
  const DATA_NODE_FILES = {
    "etc/patroni/config.yml": { mode: 0o600 },
    "etc/pgbackrest/pgbackrest.conf": { mode: 0o600 },
    "etc/default/coaching-data-tier": { mode: 0o600 },
    "etc/default/etcd": { mode: 0o600 },
    "etc/cron.d/coaching-app-backup": { mode: 0o644 },
    "var/lib/coaching-app/backup.ok": { mode: 0o644, ageH: 3 },
  };
  const HEALTHY_TIER = [
    "✓ the cluster has a primary: data-node-1",
    "✓ standbys stream with lag <= 16 MB: data-node-2 0 MB; ",
    "✓ a synchronous standby when there are two members",
    "✓ WAL archived less than 120 s ago (4 s)",
    "✓ a full backup less than 8 days old (2026-11-29T03:20Z)",
    "✓ a restore check passed less than 8 days ago (90 h ago)",
    "all checks passed",
  ];

  it("--data-node: passes a data node set up as docs/deploy.md says, with the data tier's own checks", async () => {
    await prepare(DATA_NODE, DATA_NODE_FILES);
    const result = await run(["--data-node"], await dataTierCheck(HEALTHY_TIER));
    expect(result.stdout.split("\n").filter((line) => line.startsWith("✗"))).toEqual([]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("✓ patroni active");
    expect(result.stdout).toContain("✓ etcd active");
    expect(result.stdout).toContain("✓ coaching-restore-check.timer active");
    expect(result.stdout).toContain("✓ WAL archived less than 120 s ago (4 s)");
    expect(result.stdout).not.toContain("cloudflared");
  });

  it("--data-node: counts the data tier's failures and loose configuration files", async () => {
    await prepare(
      { ...DATA_NODE, units: { ...DATA_NODE.units, "coaching-restore-check.timer": "inactive" } },
      { ...DATA_NODE_FILES, "etc/pgbackrest/pgbackrest.conf": { mode: 0o644 } },
    );
    const tier = HEALTHY_TIER.slice(0, -1).map((line) =>
      line.startsWith("✓ WAL") ? "✗ WAL archived less than 120 s ago: last 900 s ago" : line,
    );
    const result = await run(["--data-node"], await dataTierCheck([...tier, "1 check(s) failed"]));
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n").filter((line) => line.startsWith("✗"))).toEqual([
      "✗ coaching-restore-check.timer active: inactive",
      "✗ credential and env files are mode 600: /etc/pgbackrest/pgbackrest.conf (644)",
      "✗ WAL archived less than 120 s ago: last 900 s ago",
    ]);
    expect(result.stdout).toContain("3 check(s) failed");
  });

  it("passes every check on a node set up as docs/deploy.md says", async () => {
    await prepare(GOOD, {
      "etc/cloudflared/6ff42ae2-765d-4adf-8112-31c55c1551ef.json": { mode: 0o600 },
      "etc/default/tunnel-guard": { mode: 0o600 },
      "etc/default/coaching-heartbeat": { mode: 0o600 },
      "home/dokku/coaching-app/ENV": { mode: 0o600 },
      "etc/cron.d/coaching-app-assets-gc": { mode: 0o644 },
      "var/lib/coaching-app/assets-gc.ok": { mode: 0o644, ageH: 5 },
    });
    const result = await run();
    expect(result.stdout.split("\n").filter((line) => line.startsWith("✗"))).toEqual([]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("✓ nothing listens on a public address");
    expect(result.stdout).toContain("✓ cron assets-gc succeeded in the last 26 h (5 h ago)");
    expect(result.stdout).toContain("all checks passed");
  });

  it("fails each check of a badly set up node, naming what is wrong", async () => {
    await prepare(
      {
        ufw: "Status: inactive",
        ss: [
          "LISTEN 0      511          0.0.0.0:3001       0.0.0.0:*", // nginx on every address
          "LISTEN 0      511             [::]:3001          [::]:*",
          "LISTEN 0      128          0.0.0.0:22         0.0.0.0:*", // sshd, with no ufw rule for tailscale0
          "LISTEN 0      4096    203.0.113.10:8080       0.0.0.0:*",
          "LISTEN 0      4096               *:80               *:*",
        ].join("\n"),
        units: { cloudflared: "active", "tunnel-guard": "inactive", "coaching-heartbeat.timer": "failed" },
        apt: 'APT::Periodic::Update-Package-Lists "1";',
      },
      {
        "etc/cloudflared/6ff42ae2-765d-4adf-8112-31c55c1551ef.json": { mode: 0o644 },
        "etc/default/tunnel-guard": { mode: 0o640 },
        "etc/cron.d/coaching-app-assets-gc": { mode: 0o644 },
        "var/lib/coaching-app/assets-gc.ok": { mode: 0o644, ageH: 50 },
        "etc/cron.d/coaching-app-backup": { mode: 0o644 },
      },
    );
    const result = await run();
    expect(result.code).toBe(1);
    const failed = result.stdout.split("\n").filter((line) => line.startsWith("✗"));
    expect(failed).toEqual([
      "✗ ufw active, incoming denied by default: Status: inactive",
      "✗ SSH allowed only on tailscale0: ufw rules for 22: none;",
      "✗ nothing listens on a public address: 0.0.0.0:3001 [::]:3001 0.0.0.0:22 203.0.113.10:8080 *:80",
      '✗ unattended upgrades enabled: APT::Periodic::Unattended-Upgrade / Update-Package-Lists are not "1" (dokku/setup-app-node.sh and data-tier/setup-data-node.sh write them)',
      "✗ tunnel-guard active: inactive",
      "✗ coaching-heartbeat.timer active: failed",
      "✗ credential and env files are mode 600: /etc/cloudflared/6ff42ae2-765d-4adf-8112-31c55c1551ef.json (644) /etc/default/tunnel-guard (640)",
      "✗ cron assets-gc succeeded in the last 26 h: last success 50 h ago",
      `✗ cron backup succeeded in the last 26 h: never (${root}/var/lib/coaching-app/backup.ok missing)`,
    ]);
    expect(result.stdout).toContain("9 check(s) failed");
  });

  it("refuses an unknown option", async () => {
    const result = await runScript(PREFLIGHT, ["--bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown argument '--bogus'");
  });
});
