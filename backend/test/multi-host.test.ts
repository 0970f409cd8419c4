import { createServer, type Server, type Socket } from "node:net";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DebianPostgres, startDebianPostgres } from "../../scripts/lib/debian-postgres.ts";
import { freePort } from "../../scripts/lib/free-port.ts";

// A DATABASE_URL that lists every data node, as production does with Patroni: postgres.js must
// skip a dead host, a silent one and a standby, and fail (not wait) when no host is the primary.
// Unpatched 3.4.9 waited forever in the last three cases (porsager/postgres#1174, #988).

let primary: DebianPostgres;
let standby: DebianPostgres;
let silent: Server;
let silentPort: number;
const sockets = new Set<Socket>();
const pools: postgres.Sql[] = [];

beforeAll(async () => {
  primary = await startDebianPostgres({ port: await freePort() });
  standby = await startDebianPostgres({ port: await freePort(), standbyOf: primary });
  // Accepts TCP and never answers: a host whose machine is up and whose Postgres hangs.
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  silentPort = await freePort();
  await new Promise<void>((resolve) => silent.listen(silentPort, "127.0.0.1", resolve));
}, 60_000);

afterAll(async () => {
  await Promise.all(pools.map((sql) => sql.end({ timeout: 1 })));
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  await standby?.stop();
  await primary?.stop();
});

function pool(ports: number[], options: { connectTimeout?: number } = {}) {
  const hosts = ports.map((port) => `127.0.0.1:${port}`).join(",");
  const sql = postgres(`postgres://postgres@${hosts}/postgres?target_session_attrs=primary`, {
    max: 1,
    connect_timeout: options.connectTimeout ?? 5,
    onnotice: () => {},
  });
  pools.push(sql);
  return sql;
}

const serverPort = async (sql: postgres.Sql) => Number((await sql`select current_setting('port') as port`)[0]?.port);

describe("postgres.js with several hosts and target_session_attrs=primary", () => {
  it("skips a standby listed first and connects to the primary", async () => {
    expect(await serverPort(pool([standby.port, primary.port]))).toBe(primary.port);
  });

  it("skips a host that refuses connections", async () => {
    const dead = await freePort();
    expect(await serverPort(pool([dead, primary.port]))).toBe(primary.port);
  });

  it("gives up on a host that does not answer after connect_timeout and tries the next", async () => {
    expect(await serverPort(pool([silentPort, primary.port], { connectTimeout: 1 }))).toBe(primary.port);
  });

  it("fails with a connection error when no host is a primary, instead of waiting", async () => {
    const dead = await freePort();
    await expect(pool([dead, standby.port])`select 1`).rejects.toMatchObject({ code: "CONNECTION_DESTROYED" });
    await expect(pool([standby.port, dead])`select 1`).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("tries every host again for the next query once a primary is back", async () => {
    const sql = pool([standby.port, primary.port]);
    expect(await serverPort(sql)).toBe(primary.port);
    // The pool's connection ends; the next query starts a fresh pass over the host list.
    await sql`select pg_terminate_backend(pg_backend_pid())`.catch(() => {});
    expect(await serverPort(sql)).toBe(primary.port);
  });
});
