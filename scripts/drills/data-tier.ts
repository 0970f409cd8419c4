import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "../lib/free-port.ts";
import { type S3Server, startS3 } from "../lib/s3-server.ts";
import { spawnTracked, stopAllTracked, type TrackedChild } from "./child-processes.ts";
import { sleep } from "./drill-report.ts";

const run = promisify(execFile);
export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const DATA_TIER = path.join(REPO_ROOT, "data-tier");
export const STANZA = "coaching";
const PG_BIN = "/usr/lib/postgresql/15/bin";

/**
 * The data tier of docs/architecture.md on one machine: three etcd members, two Patroni-managed
 * Postgres 15 nodes and pgBackRest (with its TLS server, as between two real data nodes) archiving
 * to s3rver over HTTPS. Every configuration file comes from data-tier/setup-etcd.sh and
 * data-tier/setup-data-node.sh run with --root, i.e. from the production templates; the processes
 * are started the way Debian's units start them (etcd with /etc/default/etcd in its environment,
 * `patroni /etc/patroni/config.yml` and `pgbackrest server` as postgres).
 */
export interface DataTier {
  dir: string;
  etcd: EtcdMember[];
  nodes: DataNode[];
  s3: S3Server;
  secretsFile: string;
  secrets: Record<string, string>;
  etcdEndpoints: string;
  /** The API's DATABASE_URL: every node, target_session_attrs=primary. */
  url(database: string, user?: string, password?: string): string;
  /** The node Patroni reports as primary (waits up to `timeoutMs`). */
  primary(timeoutMs?: number): Promise<DataNode>;
  /** Environment for the data-tier scripts run against this topology. */
  scriptEnv(node: DataNode): Record<string, string>;
  /** Recent output of every process, for a failing assertion's message. */
  diagnostics(): string;
  stop(): Promise<void>;
}

export interface EtcdMember {
  name: string;
  clientPort: number;
  peerPort: number;
  start(): Promise<void>;
  kill(): Promise<void>;
  running(): boolean;
}

export interface DataNode {
  name: string;
  pgPort: number;
  restPort: number;
  tlsPort: number;
  root: string;
  dataDir: string;
  socketDir: string;
  patroniConf: string;
  pgbackrestConf: string;
  start(): Promise<void>;
  /** kill -9 of Patroni and its postmaster: the machine's processes die at once. */
  killHard(): Promise<void>;
  /** SIGTERM: Patroni stops Postgres and releases its leader key. */
  stop(): Promise<void>;
  running(): boolean;
  /** HTTP status of a GET on Patroni's REST API (0: no answer). */
  rest(pathname: string): Promise<number>;
  /** Patroni's own view: role ("primary", "replica"), state ("running", "starting", ...). */
  status(): Promise<{ role?: string; state?: string; timeline?: number } | undefined>;
  /** psql as postgres over the node's socket; unaligned, tuples only. */
  psql(sql: string, database?: string): Promise<string>;
  output(): string;
}

export interface DataTierOptions {
  /** archive_timeout; production's 60 unless a drill needs WAL in the repository sooner. */
  archiveTimeoutS?: number;
  /** Start only data-node-1 (the three-VPS shape: no standby). */
  singleNode?: boolean;
}

function postgresIds() {
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error("no `postgres` OS user: apt-get install -y postgresql-15 creates it");
  }
}

/** Fails with an install hint when a tool of the data tier is missing. */
export function assertDataTierInstalled(): void {
  const missing = [
    ["etcd", "/usr/bin/etcd", "etcd-server"],
    ["etcdctl", "/usr/bin/etcdctl", "etcd-client"],
    ["patroni", "/usr/bin/patroni", "patroni"],
    ["pgbackrest", "/usr/bin/pgbackrest", "pgbackrest"],
    ["postgres 15", `${PG_BIN}/postgres`, "postgresql-15"],
  ].filter(([, file]) => !existsSync(file as string));
  if (missing.length > 0) {
    throw new Error(
      `the data tier drills need ${missing.map(([name]) => name).join(", ")}: apt-get install -y ${missing.map(([, , pkg]) => pkg).join(" ")} (pnpm test:setup installs them)`,
    );
  }
  if (process.getuid?.() !== 0)
    throw new Error("the data tier drills run Patroni as the postgres user: run them as root");
}

export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1]) env[match[1]] = match[2] ?? "";
  }
  return env;
}

async function get(url: string, timeoutMs = 2000): Promise<Response | undefined> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return undefined;
  }
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await check()) return performance.now() - started;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export async function startDataTier(options: DataTierOptions = {}): Promise<DataTier> {
  assertDataTierInstalled();
  const pg = postgresIds();
  const dir = await mkdtemp(path.join(tmpdir(), "data-tier-"));
  await chmod(dir, 0o755);
  const children: TrackedChild[] = [];
  let s3: S3Server | undefined;
  const stop = async () => {
    await Promise.all(children.map((child) => child.stop("SIGTERM", 15_000)));
    await stopAllTracked();
    await s3?.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // --- S3 over TLS: pgBackRest checks DNS names only, hence localhost -----------------------------
    const s3Dir = path.join(dir, "s3");
    await run("mkdir", ["-p", s3Dir]);
    const key = path.join(s3Dir, "key.pem");
    const cert = path.join(s3Dir, "cert.pem");
    await run("openssl", [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"],
      ...["-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert],
    ]);
    await chmod(cert, 0o644);
    s3 = await startS3({
      port: await freePort(),
      directory: path.join(s3Dir, "store"),
      bucket: "coaching-pgbackrest",
      tls: { key: await readFile(key, "utf8"), cert: await readFile(cert, "utf8") },
    });

    // --- secrets, as the operator makes them ---------------------------------------------------------
    const secretsFile = path.join(dir, "secrets.env");
    await run("bash", [path.join(DATA_TIER, "make-secrets.sh"), "--out", secretsFile, "--extra-dns", "localhost"]);
    const filled = (await readFile(secretsFile, "utf8"))
      .replace(/^PGBACKREST_S3_ENDPOINT=.*$/m, `PGBACKREST_S3_ENDPOINT=localhost:${s3.port}`)
      .replace(/^PGBACKREST_S3_BUCKET=.*$/m, `PGBACKREST_S3_BUCKET=${s3.bucket}`)
      .replace(/^PGBACKREST_S3_KEY=.*$/m, `PGBACKREST_S3_KEY=${s3.accessKeyId}`)
      .replace(/^PGBACKREST_S3_KEY_SECRET=.*$/m, `PGBACKREST_S3_KEY_SECRET=${s3.secretAccessKey}`);
    await writeFile(secretsFile, filled, { mode: 0o600 });
    const secrets = parseEnvFile(filled);

    // --- etcd: three members ----------------------------------------------------------------------------
    const etcdPorts = await Promise.all([1, 2, 3].map(async () => [await freePort(), await freePort()] as const));
    const etcdNames = ["app-node-1", "app-node-2", "data-node-1"];
    const members = etcdNames.map((name, i) => `${name}=127.0.0.1:${etcdPorts[i]?.[0]}:${etcdPorts[i]?.[1]}`).join(",");
    const etcdEndpoints = etcdPorts.map(([client]) => `127.0.0.1:${client}`).join(",");
    const etcd: EtcdMember[] = [];
    for (const [i, name] of etcdNames.entries()) {
      const [clientPort, peerPort] = etcdPorts[i] as readonly [number, number];
      const root = path.join(dir, `etcd-${name}`);
      await run("bash", [
        path.join(DATA_TIER, "setup-etcd.sh"),
        ...["--root", root, "--name", name, "--address", "127.0.0.1", "--members", members],
        ...["--clients", "127.0.0.1", "--client-port", String(clientPort), "--peer-port", String(peerPort)],
      ]);
      const env = parseEnvFile(await readFile(path.join(root, "etc/default/etcd"), "utf8"));
      let child: TrackedChild | undefined;
      etcd.push({
        name,
        clientPort,
        peerPort,
        // Debian's etcd.service: EnvironmentFile=/etc/default/etcd, ExecStart=/usr/bin/etcd.
        start: async () => {
          child = spawnTracked(`etcd-${name}`, "/usr/bin/etcd", [], { env: { PATH: process.env.PATH, ...env } });
          children.push(child);
        },
        kill: async () => {
          await child?.stop("SIGKILL");
        },
        running: () => child?.isRunning() ?? false,
      });
    }
    await Promise.all(etcd.map((member) => member.start()));
    await waitFor(
      async () =>
        run("etcdctl", ["endpoint", "health"], {
          env: { ...process.env, ETCDCTL_API: "3", ETCDCTL_ENDPOINTS: etcdEndpoints },
        }).then(
          () => true,
          () => false,
        ),
      30_000,
      "etcd's three members to be healthy",
    );
    await run("bash", [
      path.join(DATA_TIER, "setup-etcd.sh"),
      ...["--enable-auth", "--endpoints", etcdEndpoints, "--secrets", secretsFile],
    ]);

    // --- data nodes -----------------------------------------------------------------------------------
    const names = options.singleNode ? ["data-node-1"] : ["data-node-1", "data-node-2"];
    const ports = await Promise.all(
      names.map(async () => [await freePort(), await freePort(), await freePort()] as const),
    );
    const rootOf = (name: string) => path.join(dir, name);
    const nodes: DataNode[] = [];
    for (const [i, name] of names.entries()) {
      const [pgPort, restPort, tlsPort] = ports[i] as readonly [number, number, number];
      const root = rootOf(name);
      const peerIndex = names.length > 1 ? 1 - i : -1;
      const peer = names[peerIndex];
      const peerPorts = ports[peerIndex];
      const args = [
        path.join(DATA_TIER, "setup-data-node.sh"),
        ...["--root", root, "--name", name, "--address", "127.0.0.1", "--etcd", etcdEndpoints],
        ...["--app-nodes", "127.0.0.1", "--secrets", secretsFile],
        ...["--pg-port", String(pgPort), "--rest-port", String(restPort), "--tls-port", String(tlsPort)],
        ...(peer && peerPorts ? ["--peer", `${peer}=127.0.0.1:${peerPorts[0]}:${peerPorts[2]}`] : []),
      ];
      await run("bash", args, {
        env: {
          ...process.env,
          DATA_TIER_ARCHIVE_TIMEOUT_S: String(options.archiveTimeoutS ?? 60),
          DATA_TIER_S3_CA_FILE: cert,
          // On one machine both "nodes" are localhost, in their own directories.
          DATA_TIER_PEER_HOST: "localhost",
          ...(peer
            ? {
                DATA_TIER_PEER_DATA_DIR: path.join(rootOf(peer), "var/lib/postgresql/15/coaching"),
                DATA_TIER_PEER_SOCKET_DIR: path.join(rootOf(peer), "var/run/postgresql"),
              }
            : {}),
        },
      });
      nodes.push(dataNode(name, root, pgPort, restPort, tlsPort, pg, children, Boolean(peer)));
    }

    const byRest = async (pathname: string) => {
      for (const node of nodes) if ((await node.rest(pathname)) === 200) return node;
      return undefined;
    };
    const primary = async (timeoutMs = 60_000) => {
      let found: DataNode | undefined;
      await waitFor(
        async () => {
          found = await byRest("/primary");
          return found !== undefined;
        },
        timeoutMs,
        "a primary",
      );
      return found as DataNode;
    };

    const [first, second] = nodes as [DataNode, DataNode | undefined];
    await first.start();
    await waitFor(async () => (await first.rest("/primary")) === 200, 60_000, `${first.name} to bootstrap as primary`);
    if (second) {
      await second.start();
      await waitFor(
        async () => (await second.rest("/sync")) === 200,
        90_000,
        `${second.name} to stream as sync standby`,
      );
    }
    // Once, on the primary, as setup-data-node.sh does: the stanza, then a check that archiving works.
    const pgbr = (node: DataNode, ...args: string[]) =>
      run("pgbackrest", [`--config=${node.pgbackrestConf}`, `--stanza=${STANZA}`, ...args], {
        uid: pg.uid,
        gid: pg.gid,
      });
    await pgbr(first, "stanza-create");
    await pgbr(first, "check");

    const url = (database: string, user = "postgres", password = secrets.PG_SUPERUSER_PASSWORD ?? "") =>
      `postgres://${user}:${encodeURIComponent(password)}@${nodes.map((n) => `127.0.0.1:${n.pgPort}`).join(",")}/${database}?target_session_attrs=primary`;
    return {
      dir,
      etcd,
      nodes,
      s3,
      secretsFile,
      secrets,
      etcdEndpoints,
      url,
      primary,
      scriptEnv: (node) => ({
        PATH: process.env.PATH ?? "",
        PATRONI_CONF: node.patroniConf,
        PGBR_CONF: node.pgbackrestConf,
        PATRONI_API: `127.0.0.1:${node.restPort}`,
        PGHOST: node.socketDir,
        PGPORT: String(node.pgPort),
        STATE_DIR: path.join(dir, `state-${node.name}`),
      }),
      diagnostics: () => [...children.map((child) => `--- ${child.name}\n${child.output().slice(-2500)}`)].join("\n"),
      stop,
    };
  } catch (error) {
    const output = children.map((child) => `--- ${child.name}\n${child.output().slice(-2500)}`).join("\n");
    await stop();
    throw new Error(`${String(error)}\n${output}`);
  }
}

function dataNode(
  name: string,
  root: string,
  pgPort: number,
  restPort: number,
  tlsPort: number,
  pg: { uid: number; gid: number },
  children: TrackedChild[],
  withTlsServer: boolean,
): DataNode {
  const dataDir = path.join(root, "var/lib/postgresql/15/coaching");
  const socketDir = path.join(root, "var/run/postgresql");
  const patroniConf = path.join(root, "etc/patroni/config.yml");
  const pgbackrestConf = path.join(root, "etc/pgbackrest/pgbackrest.conf");
  let patroni: TrackedChild | undefined;
  let tlsServer: TrackedChild | undefined;
  const asPostgres = { uid: pg.uid, gid: pg.gid, env: { PATH: process.env.PATH, HOME: root, LANG: "C.UTF-8" } };
  const rest = async (pathname: string) => (await get(`http://127.0.0.1:${restPort}${pathname}`))?.status ?? 0;
  return {
    name,
    pgPort,
    restPort,
    tlsPort,
    root,
    dataDir,
    socketDir,
    patroniConf,
    pgbackrestConf,
    async start() {
      // Debian's pgbackrest.service (`pgbackrest server`) and patroni.service, both as postgres.
      if (withTlsServer && !tlsServer?.isRunning()) {
        tlsServer = spawnTracked(
          `pgbackrest-server-${name}`,
          "pgbackrest",
          [`--config=${pgbackrestConf}`, "server"],
          asPostgres,
        );
        children.push(tlsServer);
      }
      patroni = spawnTracked(`patroni-${name}`, "/usr/bin/patroni", [patroniConf], asPostgres);
      children.push(patroni);
    },
    async killHard() {
      const postmaster = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").then(
        (text) => Number(text.split("\n")[0]),
        () => undefined,
      );
      await patroni?.stop("SIGKILL");
      if (postmaster) {
        try {
          process.kill(postmaster, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await tlsServer?.stop("SIGKILL");
    },
    async stop() {
      await patroni?.stop("SIGTERM", 60_000);
      await tlsServer?.stop("SIGTERM");
    },
    running: () => patroni?.isRunning() ?? false,
    rest,
    async status() {
      const response = await get(`http://127.0.0.1:${restPort}/patroni`);
      if (!response) return undefined;
      return (await response.json().catch(() => undefined)) as { role?: string; state?: string; timeline?: number };
    },
    async psql(sql, database = "postgres") {
      const { stdout } = await run(
        `${PG_BIN}/psql`,
        ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", socketDir, "-p", String(pgPort), "-d", database, "-c", sql],
        { uid: pg.uid, gid: pg.gid, env: { PATH: process.env.PATH } },
      );
      return stdout.trim();
    },
    output: () => patroni?.output() ?? "",
  };
}
