import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../lib/free-port.ts";
import { type DokkuWorld, dokkuWorld } from "./support/dokku-fixture.ts";
import { runScript } from "./support/script-runner.ts";

const SETUP = "dokku/setup-app-node.sh";
const SECRET = "sentinel-SECRET-value-4b5c6d7e8f9a0b1c";

/** dokku/setup-app-node.sh run for real against the Dokku stand-in, with ufw, ip and apt-get faked. */
describe("dokku/setup-app-node.sh on a node", () => {
  let world: DokkuWorld;
  let root: string;
  let envFile: string;
  let calls: string;
  let port: number;

  beforeEach(async () => {
    world = await dokkuWorld();
    root = path.join(world.root, "target");
    calls = path.join(world.root, "calls.log");
    port = await freePort();
    // ufw and apt-get record their calls; `ip` answers as a node with tailscale0 up would.
    for (const [tool, body] of Object.entries({
      ufw: `echo "ufw $*" >> ${calls}`,
      systemctl: `echo "systemctl $*" >> ${calls}`,
      "apt-get": `echo "apt-get $*" >> ${calls}`,
      ip: `[ "$IP_TAILSCALE" = down ] && { echo 'Device "tailscale0" does not exist.' >&2; exit 1; }; echo "4: tailscale0    inet 100.101.102.103/32 scope global tailscale0"`,
    })) {
      await writeFile(path.join(world.bin, tool), `#!/bin/sh\n${body}\n`);
      await chmod(path.join(world.bin, tool), 0o755);
    }
    envFile = path.join(world.root, "production.env");
    await writeFile(
      envFile,
      [
        "APP_ENV=production",
        `DATABASE_URL=postgres://app:${SECRET}@10.0.0.5:5432/coaching_app`,
        `REDIS_URL=redis://:${SECRET}@10.0.0.5:6379`,
        `BETTER_AUTH_SECRET="${SECRET}${SECRET}"`,
        "BETTER_AUTH_URL=https://api.example.com",
        "CORS_ORIGIN=https://app.example.com",
        "S3_ENDPOINT=https://account.r2.cloudflarestorage.com",
        "S3_BUCKET=coaching-app",
        "S3_ACCESS_KEY_ID=key-id",
        `S3_SECRET_ACCESS_KEY=${SECRET}`,
        "",
      ].join("\n"),
    );
  });

  afterEach(async () => {
    await world.close();
  });

  const setup = (args: string[], env: Record<string, string> = {}) =>
    runScript(SETUP, ["--env-file", envFile, "--port", String(port), ...args], {
      env: { ...world.env, TARGET_ROOT: root, SSH_CONNECTION: "100.90.1.2 50000 100.101.102.103 22", ...env },
    });

  it("configures the app so that a push of main deploys, twice without change, and never prints a secret", async () => {
    for (let run = 0; run < 2; run++) {
      const result = await setup([]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout + result.stderr).not.toContain(SECRET);
    }
    const state = world.report("coaching-app") as unknown as {
      properties: Record<string, string>;
      ports: string[];
      scale: Record<string, number>;
      config: Record<string, string>;
    };
    expect(state.properties).toEqual({
      "git.deploy-branch": "main",
      "builder-dockerfile.dockerfile-path": "dokku/Dockerfile",
      "app-json.appjson-path": "dokku/app.json",
      "ps.procfile-path": "dokku/Procfile",
      "ps.stop-timeout-seconds": "30",
      "checks.wait-to-retire": "30",
      "nginx.bind-address-ipv4": "127.0.0.1",
      "nginx.bind-address-ipv6": "::1",
    });
    expect(state.ports).toEqual([`http:${port}:${port}`]);
    expect(state.scale).toEqual({ web: 1 });
    expect(state.config.BETTER_AUTH_SECRET).toBe(`${SECRET}${SECRET}`);
    // BuildKit once, however often the script runs; unattended upgrades on.
    expect(await readFile(path.join(root, "etc/default/dokku"), "utf8")).toBe(
      "export DOCKER_BUILDKIT=1\nexport BUILDKIT_PROGRESS=plain\n",
    );
    expect(await readFile(path.join(root, "etc/apt/apt.conf.d/20auto-upgrades"), "utf8")).toContain(
      'APT::Periodic::Unattended-Upgrade "1";',
    );
    const log = (await readFile(calls, "utf8")).trim().split("\n");
    expect(log.slice(0, 6)).toEqual([
      "apt-get install -y -qq unattended-upgrades",
      "ufw default deny incoming",
      "ufw default allow outgoing",
      "ufw allow in on tailscale0 to any port 22 proto tcp",
      "ufw allow in on tailscale0 to any port 20241 proto tcp",
      "ufw --force enable",
    ]);
    // What the deploy then does: Dokku builds main and its startup check passes on the app's port.
    const pushed = world.push("coaching-app", "HEAD:refs/heads/main");
    expect(pushed.code, pushed.output).toBe(0);
    expect(world.report("coaching-app").running?.port).toBe(port);
  });

  it("refuses to enable ufw while tailscale0 is down or the SSH session is not over Tailscale", async () => {
    const down = await setup([], { IP_TAILSCALE: "down" });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("tailscale0 has no address: bring Tailscale up first");
    const publicSession = await setup([], { SSH_CONNECTION: "198.51.100.7 50000 203.0.113.10 22" });
    expect(publicSession.code).toBe(1);
    expect(publicSession.stderr).toContain("this SSH session came in on 203.0.113.10, not over Tailscale");
    // Refused before anything was changed.
    expect(world.dokku("apps:exists", "coaching-app").code).toBe(1);
    const forced = await setup(["--force-firewall"], { IP_TAILSCALE: "down" });
    expect(forced.code, forced.stderr).toBe(0);
  });

  it("refuses an env file with .env.example placeholders or a PORT other than the app's, in --dry-run too", async () => {
    await writeFile(envFile, `${await readFile(envFile, "utf8")}ADMIN_PASSWORD="<at least 12 characters>"\n`);
    const placeholder = await setup(["--dry-run"]);
    expect(placeholder.code).toBe(1);
    expect(placeholder.stderr).toContain("still holds <placeholders> from .env.example in: ADMIN_PASSWORD");
    const example = await runScript(SETUP, ["--dry-run", "--env-file", ".env.example"]);
    expect(example.code).toBe(1);
    expect(example.stderr).toContain("DATABASE_URL REDIS_URL BETTER_AUTH_SECRET");

    await writeFile(envFile, `${(await readFile(envFile, "utf8")).replace(/ADMIN_PASSWORD.*\n/, "")}PORT=3001\n`);
    const wrongPort = await setup(["--dry-run"]);
    expect(wrongPort.code).toBe(1);
    expect(wrongPort.stderr).toContain(`sets PORT=3001 but the app's port is ${port}`);
  });

  it("installs the heartbeat: the script, its timer and the ping URL in a mode-600 file", async () => {
    const urlFile = path.join(world.root, "heartbeat-url");
    await writeFile(urlFile, "https://hc-ping.com/0f4c1a2b-0000-4000-8000-00000000abcd\n", { mode: 0o600 });
    const result = await setup(["--heartbeat-url-file", urlFile]);
    expect(result.code, result.stderr).toBe(0);
    const defaults = path.join(root, "etc/default/coaching-heartbeat");
    expect(await readFile(defaults, "utf8")).toBe(
      "HEARTBEAT_URL=https://hc-ping.com/0f4c1a2b-0000-4000-8000-00000000abcd\n",
    );
    expect((await stat(defaults)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(root, "usr/local/bin/coaching-heartbeat.sh"))).mode & 0o111).not.toBe(0);
    await stat(path.join(root, "etc/systemd/system/coaching-heartbeat.timer"));
    expect(await readFile(calls, "utf8")).toContain("systemctl enable --now coaching-heartbeat.timer");
  });

  it("ships logs to a Vector sink read from a mode-600 file, never from the command line", async () => {
    const sinkFile = path.join(world.root, "log-sink");
    await mkdir(path.dirname(sinkFile), { recursive: true });
    await writeFile(
      sinkFile,
      `loki://?endpoint=https://logs.example.com&auth[strategy]=basic&auth[password]=${SECRET}\n`,
    );
    await chmod(sinkFile, 0o644);
    const open = await setup(["--log-sink-file", sinkFile]);
    expect(open.code).toBe(1);
    expect(open.stderr).toContain("--log-sink-file must be mode 600");
    await chmod(sinkFile, 0o600);
    const result = await setup(["--log-sink-file", sinkFile]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect((world.report("coaching-app") as unknown as { global: Record<string, string> }).global).toEqual({
      "logs.vector-sink": `loki://?endpoint=https://logs.example.com&auth[strategy]=basic&auth[password]=${SECRET}`,
    });
    await writeFile(sinkFile, "https://logs.example.com/ingest\n");
    const notDsn = await setup(["--log-sink-file", sinkFile]);
    expect(notDsn.code).toBe(1);
    expect(notDsn.stderr).toContain("expected one Vector sink DSN like loki://?endpoint=");
  });
});
