import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/script-runner.ts";

/** Every systemd unit in the repository, found by name so units added later are checked too. */
const UNITS = ["cloudflared", "data-tier", "dokku", "scripts"]
  .flatMap((dir) =>
    readdirSync(path.join(REPO_ROOT, dir), { recursive: true, encoding: "utf8" })
      .filter((file) => /\.(service|timer)$/.test(file))
      .map((file) => path.join(dir, file)),
  )
  .sort();

describe("systemd unit files", () => {
  it("are all found", () => {
    expect(UNITS).toEqual(
      expect.arrayContaining([
        "cloudflared/cloudflared.service",
        "cloudflared/tunnel-guard.service",
        "data-tier/systemd/coaching-pgbackrest-backup.timer",
      ]),
    );
  });

  it("pass systemd-analyze verify, with no warning", async () => {
    const version = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" });
    if (version.error) throw new Error("systemd-analyze is missing: apt-get install -y systemd (pnpm test:setup)");
    // systemd-analyze checks that ExecStart's binary exists on this machine: the units name paths on
    // a node (/usr/bin/cloudflared, /usr/local/bin/...), so the copies point them at /bin/true.
    // Units in one directory, so a timer finds its service.
    const dir = await mkdtemp(path.join(tmpdir(), "units-"));
    try {
      for (const unit of UNITS) {
        const text = await readFile(path.join(REPO_ROOT, unit), "utf8");
        await writeFile(path.join(dir, path.basename(unit)), text.replace(/^(Exec\w+=)\S+/gm, "$1/bin/true"));
      }
      const files = UNITS.map((unit) => path.join(dir, path.basename(unit)));
      const result = spawnSync("systemd-analyze", ["verify", "--man=no", ...files], { encoding: "utf8" });
      // Unknown keys are only warnings with exit 0 (systemd 252): any output is a failure.
      expect(`exit ${result.status}\n${result.stdout}${result.stderr}`).toBe("exit 0\n");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("give cloudflared more time to stop than its grace period, and the guard's stops do not block", async () => {
    const unit = await readFile(path.join(REPO_ROOT, "cloudflared/cloudflared.service"), "utf8");
    const config = await readFile(path.join(REPO_ROOT, "cloudflared/config.yml.example"), "utf8");
    const grace = Number(config.match(/^grace-period: (\d+)s$/m)?.[1]);
    const stopTimeout = Number(unit.match(/^TimeoutStopSec=(\d+)$/m)?.[1]);
    expect(grace).toBeGreaterThan(0);
    expect(stopTimeout).toBeGreaterThan(grace);
    const help = spawnSync("bash", ["cloudflared/tunnel-guard.sh", "--help"], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(help.stdout).toMatch(/GUARD_STOP_CMD +systemctl stop --no-block cloudflared\n/);
  });
});
