import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestApp, type TestApp } from "./support/test-app.ts";

let api: TestApp;

beforeAll(async () => {
  api = await openTestApp();
});

afterAll(async () => {
  await api?.close();
});

/** @hono/node-server's deadline for draining an unread body before it destroys the socket. */
const ADAPTER_DRAIN_DEADLINE_MS = 500;

/** A raw keep-alive connection that collects everything the server sends and notes when it closes. */
async function rawConnection(url: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const state = { received: "", closed: false };
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    state.received += chunk;
  });
  socket.on("close", () => {
    state.closed = true;
  });
  socket.on("error", () => undefined);
  return { socket, state };
}

async function until(predicate: () => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("keep-alive connections", () => {
  it("stay usable when a body arrives long after the request was refused without reading it", async () => {
    const { socket, state } = await rawConnection(api.url);
    const body = JSON.stringify({ name: "late body" });
    // Headers now, body later: the 401 is decided before a byte of the body is read.
    socket.write(
      `POST /api/v1/clients HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, ADAPTER_DRAIN_DEADLINE_MS + 300));
    // Left to the adapter, the 401 went out at once and the socket was destroyed at its deadline.
    expect(state.closed).toBe(false);
    socket.write(body);
    socket.write("GET /health HTTP/1.1\r\nHost: test\r\n\r\n");
    await until(() => (state.received.match(/HTTP\/1\.1 \d{3}/g) ?? []).length === 2 || state.closed, "two responses");
    expect(state.received.match(/HTTP\/1\.1 \d{3}/g)).toEqual(["HTTP/1.1 401", "HTTP/1.1 200"]);
    expect(state.closed).toBe(false);
    socket.destroy();
  });
});
