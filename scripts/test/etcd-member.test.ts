import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnTracked, type TrackedChild } from "../drills/child-processes.ts";
import { parseEnvFile } from "../drills/data-tier.ts";
import { freePort } from "../lib/free-port.ts";
import { runCommand } from "./support/run-command.ts";
import { REPO_ROOT, runScript } from "./support/script-runner.ts";

/**
 * How the real etcd (Debian's etcd-server, 3.4) behaves where data-tier/setup-etcd.sh depends on
 * it, checked against the binary itself: the member Debian's postinst starts with the unit's
 * defaults keeps its one-member cluster when restarted with ours, so the script must recognise it;
 * and etcd tells systemd it is ready only with a quorum, so the unit's start may not time out.
 */

let dir: string;
const children: TrackedChild[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "etcd-member-"));
});
afterAll(async () => {
  await Promise.all(children.map((child) => child.stop("SIGKILL")));
  await rm(dir, { recursive: true, force: true });
});

const etcd = (name: string, env: Record<string, string>) => {
  const child = spawnTracked(name, "/usr/bin/etcd", [], { env: { PATH: process.env.PATH ?? "", ...env } });
  children.push(child);
  return child;
};
const etcdctl = (endpoint: string, ...args: string[]) =>
  runCommand("etcdctl", args, { env: { ...process.env, ETCDCTL_API: "3", ETCDCTL_ENDPOINTS: endpoint } });
/** data-tier/lib.bash's etcd_is_package_default, as setup-etcd.sh calls it: exit 0 means "is". */
const isPackageDefault = (endpoint: string) =>
  runCommand("bash", [
    "-c",
    `SCRIPT_NAME=test; source "${REPO_ROOT}/data-tier/lib.bash"; etcd_is_package_default "$1"`,
    "_",
    endpoint,
  ]);
/** Waits until the member's cluster can commit (a one-member cluster elects itself at once). */
const untilHealthy = async (endpoint: string, what: string) => {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await etcdctl(endpoint, "endpoint", "health", "--command-timeout=1s")).code === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} never became healthy`);
};
/**
 * Waits until a member runs without a quorum: its client port answers nothing then, but its peer
 * port's /version does, with the cluster "not_decided".
 */
const untilWaitingForQuorum = async (peerPort: number) => {
  for (let attempt = 0; attempt < 300; attempt++) {
    const version = await fetch(`http://127.0.0.1:${peerPort}/version`, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.json() as Promise<{ etcdcluster?: string }>,
      () => undefined,
    );
    if (version?.etcdcluster === "not_decided") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the member on peer port ${peerPort} never ran`);
};

describe("etcd as setup-etcd.sh meets it", () => {
  it("recognises the member the package starts with its defaults, until it holds a key", async () => {
    // Debian's etcd.service: ETCD_NAME=%H, ETCD_DATA_DIR=/var/lib/etcd/default, nothing else, so
    // etcd's own defaults apply: peer URL http://localhost:2380. Free ports instead of 2379/2380.
    const [client, peer] = [await freePort(), await freePort()];
    const endpoint = `http://127.0.0.1:${client}`;
    const dataDir = path.join(dir, "package-default");
    const settings = {
      ETCD_NAME: "app-node-1",
      ETCD_DATA_DIR: dataDir,
      ETCD_LISTEN_CLIENT_URLS: endpoint,
      ETCD_ADVERTISE_CLIENT_URLS: endpoint,
      ETCD_LISTEN_PEER_URLS: `http://127.0.0.1:${peer}`,
      ETCD_INITIAL_ADVERTISE_PEER_URLS: `http://localhost:${peer}`,
      ETCD_INITIAL_CLUSTER: `app-node-1=http://localhost:${peer}`,
    };
    const first = etcd("etcd-package-default", settings);
    await untilHealthy(endpoint, "the package's default member");
    expect((await isPackageDefault(endpoint)).code).toBe(0);

    // Restarted with a three-member configuration, the initialised data directory wins: still a
    // cluster of one, on its old peer URL. This is why setup-etcd.sh removes that directory.
    await first.stop();
    const restarted = etcd("etcd-restarted", {
      ...settings,
      ETCD_LISTEN_PEER_URLS: `http://127.0.0.1:${peer}`,
      ETCD_INITIAL_ADVERTISE_PEER_URLS: `http://127.0.0.1:${peer}`,
      ETCD_INITIAL_CLUSTER: `app-node-1=http://127.0.0.1:${peer},app-node-2=http://127.0.0.1:1,data-node-1=http://127.0.0.1:2`,
      ETCD_INITIAL_CLUSTER_STATE: "new",
    });
    await untilHealthy(endpoint, "the restarted member");
    const members = await etcdctl(endpoint, "member", "list");
    expect(members.stdout.trim().split("\n")).toHaveLength(1);
    expect(members.stdout).toContain(`http://localhost:${peer}`);
    expect((await isPackageDefault(endpoint)).code).toBe(0);

    expect((await etcdctl(endpoint, "put", "/service/coaching/leader", "data-node-1")).code).toBe(0);
    expect((await isPackageDefault(endpoint)).code).toBe(1);
    await restarted.stop();
  });

  it("tells systemd it is ready only once two of the three members run; a member of ours is not the package default", async () => {
    const ports = await Promise.all([1, 2, 3].map(async () => [await freePort(), await freePort()] as const));
    const names = ["app-node-1", "app-node-2", "data-node-1"];
    const members = names.map((name, i) => `${name}=127.0.0.1:${ports[i]?.[0]}:${ports[i]?.[1]}`).join(",");
    const envs: Record<string, string>[] = [];
    for (const [i, name] of names.entries()) {
      const root = path.join(dir, `member-${name}`);
      const [client, peer] = ports[i] as readonly [number, number];
      const written = await runScript("data-tier/setup-etcd.sh", [
        ...["--root", root, "--name", name, "--address", "127.0.0.1", "--members", members],
        ...["--clients", "127.0.0.1", "--client-port", String(client), "--peer-port", String(peer)],
      ]);
      expect(written.code, written.stderr).toBe(0);
      envs.push(parseEnvFile(await readFile(path.join(root, "etc/default/etcd"), "utf8")));
    }

    // systemd's notify protocol: a datagram "READY=1" on the unix socket in NOTIFY_SOCKET. Node has
    // no unix datagram sockets; python3 (a dependency of create-database.sh) listens instead.
    const socket = path.join(dir, "notify.sock");
    const listener: ChildProcess = spawn(
      "python3",
      [
        "-u",
        "-c",
        "import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint('bound')\nwhile True: print(s.recv(4096).decode())",
        socket,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let received = "";
    const ready = new Promise<void>((resolve) =>
      listener.stdout?.on("data", (chunk: Buffer) => {
        received += chunk.toString();
        if (received.includes("READY=1")) resolve();
      }),
    );
    try {
      while (!received.includes("bound")) await new Promise((resolve) => setTimeout(resolve, 20));
      const firstEndpoint = `http://127.0.0.1:${ports[0]?.[0]}`;
      etcd("etcd-first", { ...envs[0], NOTIFY_SOCKET: socket });
      // The first member runs and has not said READY (without a quorum it cannot commit, and its
      // client port answers nothing); only the second member's arrival lets it.
      await untilWaitingForQuorum(ports[0]?.[1] ?? 0);
      expect(received).not.toContain("READY=1");
      etcd("etcd-second", envs[1] ?? {});
      await ready;
      expect((await etcdctl(firstEndpoint, "endpoint", "health")).code).toBe(0);
      // Three members listed, every peer URL an address: setup-etcd.sh leaves this data directory be.
      expect((await etcdctl(firstEndpoint, "member", "list")).stdout.trim().split("\n")).toHaveLength(3);
      expect((await isPackageDefault(firstEndpoint)).code).toBe(1);
    } finally {
      listener.kill();
    }
  });
});
