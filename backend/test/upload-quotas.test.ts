import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUpload, putToPresigned } from "./support/asset-fixtures.ts";
import { type Actor, as, expectOk, newUser } from "./support/domain-fixtures.ts";
import { expectObservedStatusesDeclared } from "./support/observed-statuses.ts";
import { openTestApp, type TestApp } from "./support/test-app.ts";

// Small quotas so a few uploads reach them: 3 files or 3,000 bytes per client, 5,000 bytes per uploader.
let api: TestApp;
let coach: Actor;

beforeAll(async () => {
  api = await openTestApp({
    TRUST_PROXY: "cloudflare",
    UPLOAD_QUOTA_CLIENT_FILES: "3",
    UPLOAD_QUOTA_CLIENT_BYTES: "3000",
    UPLOAD_QUOTA_USER_BYTES: "5000",
  });
  coach = await newUser(api, "quota-coach");
});

afterAll(async () => {
  try {
    await expectObservedStatusesDeclared(api);
  } finally {
    await api?.close();
  }
});

const newClient = async (name: string) =>
  String((await expectOk(as(coach, api, "POST", "/api/v1/clients", { name }), 201)).id);
const start = (clientId: string, size: number) =>
  as(coach, api, "POST", "/api/v1/assets", { clientId, filename: "f.txt", contentType: "text/plain", size });

describe("upload quotas", () => {
  it("refuses a client's file past its count, pending uploads included, with 413 quota_exceeded", async () => {
    const clientId = await newClient("count");
    for (let i = 0; i < 3; i++) expect((await start(clientId, 10)).status).toBe(201);
    const fourth = await start(clientId, 10);
    expect([fourth.status, fourth.json?.error.code]).toEqual([413, "quota_exceeded"]);
    expect(fourth.json?.error.message).toBe("This client has 3 files; at most 3 are kept.");
  });

  it("refuses an upload that would take a client past its bytes, and counts failed uploads for nothing", async () => {
    const clientId = await newClient("bytes");
    // A failed upload (nothing PUT) frees its share once completed as failed.
    const failed = await createUpload(api, coach, { clientId, bytes: randomBytes(2000) });
    expect((await as(coach, api, "POST", `/api/v1/assets/${failed.id}/complete`)).status).toBe(409);
    const ready = await createUpload(api, coach, { clientId, bytes: randomBytes(2500) });
    expect(await putToPresigned(ready.upload, ready.bytes)).toBe(200);
    await expectOk(as(coach, api, "POST", `/api/v1/assets/${ready.id}/complete`));
    const over = await start(clientId, 501);
    expect([over.status, over.json?.error.code]).toEqual([413, "quota_exceeded"]);
    expect(over.json?.error.message).toBe("This client's files would take 3001 bytes; at most 3000.");
    expect((await start(clientId, 500)).status).toBe(201);
  });

  it("refuses an upload that would take its uploader past their bytes across clients", async () => {
    const uploader = await newUser(api, "quota-uploader");
    const clients = [];
    for (const name of ["u1", "u2", "u3"]) {
      clients.push(String((await expectOk(as(uploader, api, "POST", "/api/v1/clients", { name }), 201)).id));
    }
    const begin = (clientId: string, size: number) =>
      as(uploader, api, "POST", "/api/v1/assets", { clientId, filename: "f.txt", contentType: "text/plain", size });
    expect((await begin(clients[0] as string, 2500)).status).toBe(201);
    expect((await begin(clients[1] as string, 2500)).status).toBe(201);
    const over = await begin(clients[2] as string, 1);
    expect([over.status, over.json?.error.code]).toEqual([413, "quota_exceeded"]);
    expect(over.json?.error.message).toBe("Your uploads would take 5001 bytes; at most 5000.");
  });

  it("checks uploads to one client one after the other: parallel starts cannot pass the count together", async () => {
    const clientId = await newClient("parallel");
    const results = await Promise.all(Array.from({ length: 6 }, () => start(clientId, 10)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 413, 413, 413]);
  });

  it("limits one user to 100 upload starts an hour, with 429 and Retry-After", async () => {
    const busy = await newUser(api, "quota-busy");
    const clientIds: string[] = [];
    for (let i = 0; i < 34; i++) {
      clientIds.push(String((await expectOk(as(busy, api, "POST", "/api/v1/clients", { name: `busy ${i}` }), 201)).id));
    }
    for (let i = 0; i < 100; i++) {
      const started = await as(busy, api, "POST", "/api/v1/assets", {
        clientId: clientIds[i % clientIds.length],
        filename: "f.txt",
        contentType: "text/plain",
        size: 1,
      });
      expect(started.status).toBe(201);
    }
    const limited = await as(busy, api, "POST", "/api/v1/assets", {
      clientId: clientIds[0],
      filename: "f.txt",
      contentType: "text/plain",
      size: 1,
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.response.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
