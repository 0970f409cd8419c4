import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestApp, type TestApp } from "./support/test-app.ts";

let api: TestApp;

beforeAll(async () => {
  api = await openTestApp();
});

afterAll(async () => {
  await api?.close();
});

/** Every route the app serves under /api/v1, read from the router itself. */
function servedRoutes() {
  return api.app.routes
    .filter((r) => r.path.startsWith("/api/v1/") && r.method !== "ALL" && !r.path.endsWith("*"))
    .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
}

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const response = await fetch(`${api.url}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string } & Record<string, unknown>;
    expect(document.openapi).toBe("3.1.0");
    const result = await new Validator().validate(document as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("describes every /api/v1 route the app serves, and the auth endpoints", async () => {
    const document = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, object> };
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    const served = [...new Set(servedRoutes())];
    expect(served.length).toBeGreaterThanOrEqual(20);
    expect(documented).toEqual(expect.arrayContaining(served));
    expect(documented).toEqual(
      expect.arrayContaining(["post /api/auth/sign-in/email", "post /api/auth/sign-up/email"]),
    );
  });

  it("serves the interactive reference at /docs", async () => {
    const response = await fetch(`${api.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("/openapi.json");
  });
});
