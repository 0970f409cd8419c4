import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCredentials, signUp } from "./support/auth-client.ts";
import { openTestApp, type TestApp } from "./support/test-app.ts";

let api: TestApp;

beforeAll(async () => {
  api = await openTestApp();
});

afterAll(async () => {
  await api?.close();
});

describe("the AWS SDK loads on the first file request", () => {
  it("is not part of the server's module graph", () => {
    // A fresh process: which CommonJS modules (the SDK ships as CommonJS) does the server's graph load?
    const backend = path.resolve(import.meta.dirname, "..");
    const loaded = execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `import { createRequire } from "node:module";
         await import("./src/server.ts"); // everything main.ts starts, without starting it
         const cached = Object.keys(createRequire(import.meta.url).cache);
         console.log(JSON.stringify({ all: cached.length, sdk: cached.filter((k) => k.includes("@aws-sdk/")) }));`,
      ],
      { cwd: backend, encoding: "utf8" },
    );
    const { all, sdk } = JSON.parse(loaded) as { all: number; sdk: string[] };
    expect(all).toBeGreaterThan(10); // the check sees CommonJS modules (better-auth's dependencies are some)
    expect(sdk).toEqual([]);
  });

  it("builds no S3 client until a file route needs one", async () => {
    const user = await signUp(api.url, newCredentials("lazy-s3"));
    const headers = { authorization: `Bearer ${user.session.token}` };
    expect((await fetch(`${api.url}/api/v1/clients`, { headers })).status).toBe(200);
    expect(api.deps.s3.loaded).toBe(false);
    const created = await fetch(`${api.url}/api/v1/clients`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ name: "Files" }),
    });
    const client = (await created.json()) as { id: string };
    // Presigning needs no bucket round trip, only the client.
    const upload = await fetch(`${api.url}/api/v1/assets`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ clientId: client.id, filename: "notes.txt", contentType: "text/plain", size: 1000 }),
    });
    expect(upload.status).toBe(201);
    expect(api.deps.s3.loaded).toBe(true);
  });
});
