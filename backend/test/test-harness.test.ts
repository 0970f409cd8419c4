import { createRoute, z } from "@hono/zod-openapi";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import type { App } from "../src/app.ts";
import { json, jsonBody } from "../src/http/openapi-helpers.ts";
import { undeclaredStatuses } from "./support/observed-statuses.ts";
import { pgUrlDatabase } from "./support/template-db.ts";
import { openTestApp } from "./support/test-app.ts";
import { testServices } from "./support/test-services.ts";

// A documented route that declares only its 200: anything else it answers is undeclared.
function addUnderdeclaredProbe(app: App) {
  const probe = createRoute({
    method: "post",
    path: "/api/probe",
    request: { body: jsonBody(z.object({ name: z.string() })) },
    responses: { 200: json(z.object({ name: z.string() }), "ok") },
  });
  app.openapi(probe, (c) => c.json({ name: c.req.valid("json").name }, 200));
}

async function databaseExists(name: string): Promise<boolean> {
  const admin = postgres(testServices().pgAdminUrl, { max: 1, onnotice: () => {} });
  try {
    return (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
  } finally {
    await admin.end();
  }
}

describe("openTestApp", () => {
  it("gives the app a database of its own and drops it on close", async () => {
    const api = await openTestApp();
    const name = pgUrlDatabase(api.databaseUrl);
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
    expect(await databaseExists(name)).toBe(true);
    await api.close();
    expect(await databaseExists(name)).toBe(false);
  });
});

describe("observed statuses", () => {
  it("reports a status the app answered that /openapi.json does not declare", async () => {
    const api = await openTestApp({}, addUnderdeclaredProbe);
    try {
      const post = (body: string, type: string) =>
        fetch(`${api.url}/api/probe`, { method: "POST", headers: { "content-type": type }, body });
      expect((await post('{"name":"a"}', "application/json")).status).toBe(200);
      expect((await post("a", "text/plain")).status).toBe(415);
      const { checked, missing } = await undeclaredStatuses(api);
      expect(checked).toBeGreaterThanOrEqual(2);
      expect(missing).toContain("POST /api/probe 415");
      expect(missing).not.toContain("POST /api/probe 200");
    } finally {
      await api.close();
    }
  });
});
