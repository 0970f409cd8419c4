import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.ts";
import {
  createUpload,
  headStatus,
  keysUnder,
  objectKeyOf,
  putToPresigned,
  readyAsset,
  sha256,
} from "./support/asset-fixtures.ts";
import { type Actor, as, coachingWorld, expectOk, newUser } from "./support/domain-fixtures.ts";
import { expectObservedStatusesDeclared } from "./support/observed-statuses.ts";
import { openTestApp, startTestApp, type TestApp } from "./support/test-app.ts";
import { testEnv } from "./support/test-services.ts";

const backendDir = path.resolve(import.meta.dirname, "..");
// A bucket of this file's own: the GC test sweeps the whole bucket, which must not see the objects
// of other test files (their rows live in other databases).
const bucket = `assets-test-${crypto.randomUUID().slice(0, 8)}`;

let api: TestApp;
let world: Awaited<ReturnType<typeof coachingWorld>>;
let coach: Actor;
let clientUser: Actor;
let otherCoach: Actor;

beforeAll(async () => {
  api = await openTestApp({ TRUST_PROXY: "cloudflare", S3_BUCKET: bucket });
  await (await api.deps.s3.get()).send(new CreateBucketCommand({ Bucket: bucket }));
  world = await coachingWorld(api);
  ({ coach, clientUser } = world);
  otherCoach = await newUser(api, "other-coach");
});

afterAll(async () => {
  try {
    await expectObservedStatusesDeclared(api);
  } finally {
    await api?.close();
  }
});

const statusOf = async (id: string) =>
  (await api.deps.db.selectFrom("assets").select("status").where("id", "=", id).executeTakeFirst())?.status;

describe("upload and download over HTTP", () => {
  it("creates, uploads to the presigned URL, completes, lists and downloads identical bytes", async () => {
    const bytes = randomBytes(300_000);
    const filename = "Übung plan (v2).pdf";
    const created = await createUpload(api, coach, {
      clientId: world.client.id,
      bytes,
      filename,
      contentType: "application/pdf",
      visibility: "shared",
    });
    expect(created).toMatchObject({ status: "pending", upload: { method: "PUT" } });
    expect(created.upload.headers).toEqual({ "content-type": "application/pdf", "content-length": "300000" });
    const signed = new URL(created.upload.url).searchParams;
    expect(signed.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
    expect(signed.get("X-Amz-Expires")).toBe("600");
    const ttl = Date.parse(created.upload.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
    const key = await objectKeyOf(api, created.id);
    expect(key).toMatch(new RegExp(`^clients/${world.client.id}/[0-9a-f-]{36}$`));

    expect(await putToPresigned(created.upload, bytes)).toBe(200);
    const ready = await expectOk(as(coach, api, "POST", `/api/v1/assets/${created.id}/complete`));
    expect(ready).toMatchObject({ id: created.id, status: "ready", size: 300_000, filename, uploaderId: coach.id });

    const list = await expectOk(as(coach, api, "GET", `/api/v1/assets?clientId=${world.client.id}`));
    expect(list.items.map((a: { id: string }) => a.id)).toContain(created.id);

    const detail = await expectOk(as(clientUser, api, "GET", `/api/v1/assets/${created.id}`));
    expect(new URL(detail.downloadUrl).searchParams.get("X-Amz-Expires")).toBe("300");
    const download = await fetch(detail.downloadUrl);
    expect(download.status).toBe(200);
    const downloaded = new Uint8Array(await download.arrayBuffer());
    expect(downloaded.length).toBe(300_000);
    expect(sha256(downloaded)).toBe(sha256(bytes));
    expect(download.headers.get("content-disposition")).toBe(
      `attachment; filename="Ubung plan (v2).pdf"; filename*=UTF-8''%C3%9Cbung%20plan%20%28v2%29.pdf`,
    );
    expect(download.headers.get("content-type")).toBe("application/pdf");
  });

  it("completing twice answers ready again", async () => {
    const asset = await readyAsset(api, coach, { clientId: world.client.id });
    const again = await expectOk(as(coach, api, "POST", `/api/v1/assets/${asset.id}/complete`));
    expect(again.status).toBe("ready");
  });

  it("pages through the list without duplicates or gaps", async () => {
    const client = await expectOk(as(coach, api, "POST", "/api/v1/clients", { name: "Paged" }), 201);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await readyAsset(api, coach, { clientId: client.id })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/v1/assets?clientId=${client.id}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await expectOk(as(coach, api, "GET", query));
      seen.push(...page.items.map((a: { id: string }) => a.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids.reverse());
  });
});

describe("what an upload may declare", () => {
  it("refuses a declared size over MAX_UPLOAD_BYTES with 413 and accepts exactly the limit", async () => {
    const body = { clientId: world.client.id, filename: "big.mp4", contentType: "video/mp4", visibility: "private" };
    const over = await as(coach, api, "POST", "/api/v1/assets", { ...body, size: 52_428_801 });
    expect([over.status, over.json?.error.code]).toEqual([413, "payload_too_large"]);
    const at = await as(coach, api, "POST", "/api/v1/assets", { ...body, size: 52_428_800 });
    expect(at.status).toBe(201);
  });

  it.each(["text/html", "image/svg+xml", "application/x-msdownload", "application/octet-stream"])(
    "refuses %s with 415",
    async (contentType) => {
      const result = await as(coach, api, "POST", "/api/v1/assets", {
        clientId: world.client.id,
        filename: "x",
        contentType,
        size: 10,
      });
      expect([result.status, result.json?.error.code]).toEqual([415, "unsupported_media_type"]);
    },
  );

  it("stores a sanitized display name and never uses it in the object key", async () => {
    const created = await createUpload(api, coach, { clientId: world.client.id, filename: "../../etc/\u202Epasswd" });
    const row = await api.deps.db
      .selectFrom("assets")
      .selectAll()
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(row.filename).toBe("passwd");
    expect(row.object_key).not.toContain("passwd");
  });
});

describe("complete checks what storage holds", () => {
  it("rejects more bytes than declared (s3rver stores them; complete does not) and leaves nothing behind", async () => {
    const created = await createUpload(api, coach, { clientId: world.client.id, bytes: randomBytes(1000) });
    const key = await objectKeyOf(api, created.id);
    // A client ignoring the signed Content-Length. R2 answers 403 SignatureDoesNotMatch here;
    // s3rver does not verify SigV4 signatures at all, so the object lands and `complete` must catch it.
    const putStatus = await putToPresigned(
      { url: created.upload.url, headers: { "content-type": "text/plain" } },
      randomBytes(2000),
    );
    expect(putStatus).toBe(200);
    const result = await as(coach, api, "POST", `/api/v1/assets/${created.id}/complete`);
    expect([result.status, result.json?.error.code]).toEqual([409, "conflict"]);
    expect(result.json?.error.message).toContain("2000 bytes");
    expect(await statusOf(created.id)).toBe("failed");
    expect(await headStatus(api, key)).toBe(404);
    expect((await as(coach, api, "GET", `/api/v1/assets/${created.id}`)).status).toBe(404);
    expect((await as(coach, api, "POST", `/api/v1/assets/${created.id}/complete`)).status).toBe(409);
  });

  it("rejects another content type of the same size", async () => {
    const created = await createUpload(api, coach, { clientId: world.client.id, bytes: randomBytes(64) });
    const key = await objectKeyOf(api, created.id);
    expect(
      await putToPresigned({ url: created.upload.url, headers: { "content-type": "image/png" } }, randomBytes(64)),
    ).toBe(200);
    expect((await as(coach, api, "POST", `/api/v1/assets/${created.id}/complete`)).status).toBe(409);
    expect(await statusOf(created.id)).toBe("failed");
    expect(await headStatus(api, key)).toBe(404);
  });

  it("rejects a complete without an upload", async () => {
    const created = await createUpload(api, coach, { clientId: world.client.id });
    const result = await as(coach, api, "POST", `/api/v1/assets/${created.id}/complete`);
    expect([result.status, result.json?.error.message]).toEqual([409, expect.stringContaining("no file")]);
    expect(await statusOf(created.id)).toBe("failed");
  });
});

describe("who sees what", () => {
  it("answers 404 to another coach on detail, complete, delete and list", async () => {
    const ready = await readyAsset(api, coach, { clientId: world.client.id, visibility: "shared" });
    const pending = await createUpload(api, coach, { clientId: world.client.id });
    expect((await as(otherCoach, api, "GET", `/api/v1/assets/${ready.id}`)).status).toBe(404);
    expect((await as(otherCoach, api, "POST", `/api/v1/assets/${pending.id}/complete`)).status).toBe(404);
    expect((await as(otherCoach, api, "DELETE", `/api/v1/assets/${ready.id}`)).status).toBe(404);
    expect((await as(otherCoach, api, "GET", `/api/v1/assets?clientId=${world.client.id}`)).status).toBe(404);
    const create = await as(otherCoach, api, "POST", "/api/v1/assets", {
      clientId: world.client.id,
      filename: "x",
      contentType: "text/plain",
      size: 1,
    });
    expect(create.status).toBe(404);
  });

  it("shows the client user shared files and their own uploads, never the coach's private ones", async () => {
    const client = await expectOk(as(coach, api, "POST", "/api/v1/clients", { name: "Visibility" }), 201);
    const invite = await expectOk(as(coach, api, "POST", `/api/v1/clients/${client.id}/invites`), 201);
    const user = await newUser(api, "visibility-client");
    await expectOk(as(user, api, "POST", `/api/v1/invites/${invite.token}/accept`));
    const privateFile = await readyAsset(api, coach, { clientId: client.id, visibility: "private" });
    const sharedFile = await readyAsset(api, coach, { clientId: client.id, visibility: "shared" });
    const ownFile = await readyAsset(api, user, { clientId: client.id, visibility: "private" });

    const mine = await expectOk(as(user, api, "GET", `/api/v1/assets?clientId=${client.id}`));
    expect(mine.items.map((a: { id: string }) => a.id)).toEqual([ownFile.id, sharedFile.id]);
    expect((await as(user, api, "GET", `/api/v1/assets/${privateFile.id}`)).status).toBe(404);
    expect((await as(user, api, "GET", `/api/v1/assets/${sharedFile.id}`)).status).toBe(200);
    const coachView = await expectOk(as(coach, api, "GET", `/api/v1/assets?clientId=${client.id}`));
    expect(coachView.items.map((a: { id: string }) => a.id)).toEqual([ownFile.id, sharedFile.id, privateFile.id]);

    expect((await as(user, api, "DELETE", `/api/v1/assets/${sharedFile.id}`)).status).toBe(403);
    expect((await as(user, api, "DELETE", `/api/v1/assets/${privateFile.id}`)).status).toBe(404);
    expect((await as(coach, api, "POST", `/api/v1/assets/${ownFile.id}/complete`)).status).toBe(404);
    expect((await as(user, api, "DELETE", `/api/v1/assets/${ownFile.id}`)).status).toBe(204);
  });
});

describe("deleting", () => {
  it("removes the object and the row", async () => {
    const asset = await readyAsset(api, coach, { clientId: world.client.id });
    const key = await objectKeyOf(api, asset.id);
    expect(await headStatus(api, key)).toBe(200);
    expect((await as(coach, api, "DELETE", `/api/v1/assets/${asset.id}`)).status).toBe(204);
    expect(await headStatus(api, key)).toBe(404);
    expect(await statusOf(asset.id)).toBeUndefined();
    expect((await as(coach, api, "GET", `/api/v1/assets/${asset.id}`)).status).toBe(404);
  });

  it("deleting a client removes every object under its keys", async () => {
    const client = await expectOk(as(coach, api, "POST", "/api/v1/clients", { name: "Leaving" }), 201);
    for (let i = 0; i < 3; i++) await readyAsset(api, coach, { clientId: client.id });
    await createUpload(api, coach, { clientId: client.id }); // pending, never uploaded
    const prefix = `clients/${client.id}/`;
    expect(await keysUnder(api, prefix)).toHaveLength(3);
    expect((await as(coach, api, "DELETE", `/api/v1/clients/${client.id}`)).status).toBe(204);
    expect(await keysUnder(api, prefix)).toHaveLength(0);
    const rows = await api.deps.db.selectFrom("assets").select("id").where("client_id", "=", client.id).execute();
    expect(rows).toHaveLength(0);
  });

  it("answers 503 when storage is down and keeps every row that points at an object", async () => {
    const client = await expectOk(as(coach, api, "POST", "/api/v1/clients", { name: "Storage outage" }), 201);
    const asset = await readyAsset(api, coach, { clientId: client.id });
    const pending = await createUpload(api, coach, { clientId: client.id });
    const down = await startTestApp(api.databaseUrl, {
      TRUST_PROXY: "cloudflare",
      S3_BUCKET: bucket,
      S3_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    });
    try {
      for (const [method, route] of [
        ["DELETE", `/api/v1/assets/${asset.id}`],
        ["POST", `/api/v1/assets/${pending.id}/complete`],
        ["DELETE", `/api/v1/clients/${client.id}`],
      ] as const) {
        const result = await as(coach, down, method, route);
        expect([route, result.status, result.json?.error.code]).toEqual([route, 503, "service_unavailable"]);
      }
    } finally {
      await down.close();
    }
    expect(await statusOf(asset.id)).toBe("ready");
    expect(await statusOf(pending.id)).toBe("pending");
    expect(await headStatus(api, await objectKeyOf(api, asset.id))).toBe(200);
    expect((await as(coach, api, "GET", `/api/v1/clients/${client.id}`)).status).toBe(200);
  });
});

function gc(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/features/assets/assets-gc-cli.ts", ...args], {
      cwd: backendDir,
      env: { ...process.env, ...testEnv(api.databaseUrl, { S3_BUCKET: bucket, ...env }) },
    });
    let output = "";
    child.stdout.on("data", (c) => {
      output += c;
    });
    child.stderr.on("data", (c) => {
      output += c;
    });
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("pnpm assets:gc", () => {
  it("removes aged pending uploads and aged orphans, keeps ready files and anything young", async () => {
    const client = await expectOk(as(coach, api, "POST", "/api/v1/clients", { name: "Garbage" }), 201);
    const ready = await readyAsset(api, coach, { clientId: client.id });
    const stale = await createUpload(api, coach, { clientId: client.id });
    expect(await putToPresigned(stale.upload, stale.bytes)).toBe(200);
    await sql`update assets set created_at = now() - interval '25 hours' where id = ${stale.id}`.execute(api.deps.db);
    const young = await createUpload(api, coach, { clientId: client.id });
    expect(await putToPresigned(young.upload, young.bytes)).toBe(200);
    const orphanKey = `clients/${client.id}/${crypto.randomUUID()}`;
    await (await api.deps.s3.get()).send(new PutObjectCommand({ Bucket: bucket, Key: orphanKey, Body: "left behind" }));
    const keys = {
      ready: await objectKeyOf(api, ready.id),
      stale: await objectKeyOf(api, stale.id),
      young: await objectKeyOf(api, young.id),
    };

    const dry = await gc(["--dry-run"]);
    expect(dry.code, dry.output).toBe(0);
    expect(dry.output).toContain(`would remove pending upload ${stale.id} ${keys.stale}`);
    expect(await statusOf(stale.id)).toBe("pending");
    expect(await headStatus(api, keys.stale)).toBe(200);

    // Default threshold (24 h): the aged pending upload goes; the fresh orphan might be an upload in progress.
    const daily = await gc([]);
    expect(daily.code, daily.output).toBe(0);
    expect(daily.output).toContain(`removed pending upload ${stale.id} ${keys.stale}`);
    expect(daily.output).toContain("removed: 1 stale upload(s), 0 orphan object(s)");
    expect(await statusOf(stale.id)).toBeUndefined();
    expect(await headStatus(api, keys.stale)).toBe(404);
    expect(await headStatus(api, orphanKey)).toBe(200);
    expect(await statusOf(young.id)).toBe("pending");

    // Threshold 0: the orphan is now old enough (so is the young pending upload); ready files stay.
    const sweep = await gc([], { ASSETS_GC_MIN_AGE_HOURS: "0" });
    expect(sweep.code, sweep.output).toBe(0);
    expect(sweep.output).toContain(`removed orphan object ${orphanKey}`);
    expect(await headStatus(api, orphanKey)).toBe(404);
    expect(await headStatus(api, keys.young)).toBe(404);
    expect(await statusOf(ready.id)).toBe("ready");
    expect(await headStatus(api, keys.ready)).toBe(200);
    console.log(`[assets:gc] ${dry.output}\n${daily.output}\n${sweep.output}`);
  });

  it("prints usage with --help and fails with a clear message on a bad threshold", async () => {
    const help = await gc(["--help"]);
    expect([help.code, help.output]).toEqual([0, expect.stringContaining("--dry-run")]);
    const bad = await gc(["--min-age-hours", "soon"]);
    expect([bad.code, bad.output]).toEqual([1, expect.stringContaining("must be a number >= 0")]);
  });
});
