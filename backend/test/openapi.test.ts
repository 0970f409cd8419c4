import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCALAR_SCRIPT } from "../src/features/docs/docs-routes.ts";
import { SESSION_SECURITY } from "../src/http/api-route.ts";
import { redoclyLint } from "./support/redocly-lint.ts";
import { servedApiRoutes } from "./support/served-routes.ts";
import { openTestApp, type TestApp } from "./support/test-app.ts";

interface Operation {
  operationId?: string;
  summary?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}
type OpenApiDocument = { openapi: string; paths: Record<string, Record<string, Operation>> };

let api: TestApp;
let document: OpenApiDocument;

beforeAll(async () => {
  api = await openTestApp();
  const response = await fetch(`${api.url}/openapi.json`);
  if (response.status !== 200) throw new Error(`GET /openapi.json answered ${response.status}`);
  document = (await response.json()) as OpenApiDocument;
});

afterAll(async () => {
  await api?.close();
});

const operations = () =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method, path, operation })),
  );

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(document.openapi).toBe("3.1.0");
    const result = await new Validator().validate(document as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    // On failure the diff lists each problem: severity, rule, JSON pointer and message.
    expect(await redoclyLint(document)).toEqual({ code: 0, errors: 0, warnings: 0, problems: [] });
  }, 60_000);

  it("describes every /api/v1 route the app serves, and the auth endpoints", () => {
    const documented = operations().map(({ method, path }) => `${method} ${path}`);
    const served = servedApiRoutes(api.app);
    expect(served.length).toBeGreaterThanOrEqual(28);
    expect(documented).toEqual(expect.arrayContaining(served));
    expect(documented).toEqual(
      expect.arrayContaining(["post /api/auth/sign-in/email", "post /api/auth/sign-up/email"]),
    );
  });

  it("names every operation with a unique PascalCase operationId and a summary, for generated clients", () => {
    const all = operations();
    const ids = all.map(({ operation }) => operation.operationId);
    for (const { method, path, operation } of all) {
      expect(operation.operationId, `${method} ${path}`).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(operation.summary, `${method} ${path}`).toEqual(expect.stringMatching(/\S/));
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(["ListClients", "CreateAppointment", "GetMe", "SignInWithEmail"]));
  });

  it("asks /api/v1 operations for the cookie or the bearer token, and nothing of sign-up and sign-in", () => {
    for (const { method, path, operation } of operations()) {
      if (path.startsWith("/api/v1/")) {
        expect(operation.security, `${method} ${path}`).toEqual(SESSION_SECURITY);
        expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(
          expect.arrayContaining(["401", "429", "503"]),
        );
      }
      if (path.startsWith("/api/public/")) expect(operation.security, `${method} ${path}`).toEqual([]);
    }
    expect(document.paths["/api/auth/sign-in/email"]?.post?.security).toEqual([]);
    expect(document.paths["/api/auth/sign-up/email"]?.post?.security).toEqual([]);
  });

  it("serves the interactive reference at /docs: a pinned script with SRI, no inline script, a strict CSP", async () => {
    const response = await fetch(`${api.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[0].match(/src="([^"]+)"/)?.[1])).toEqual([SCALAR_SCRIPT.url, "/docs/init.js"]);
    expect(scripts.every((m) => m[1]?.trim() === "")).toBe(true);
    expect(html).toContain(`integrity="${SCALAR_SCRIPT.integrity}" crossorigin="anonymous"`);
    // An exact version, and an integrity hash of the size sha384 gives.
    expect(SCALAR_SCRIPT.url).toMatch(/@scalar\/api-reference@\d+\.\d+\.\d+\//);
    expect(Buffer.from(SCALAR_SCRIPT.integrity.replace("sha384-", ""), "base64")).toHaveLength(48);

    const csp = response.headers.get("content-security-policy") ?? "";
    const scriptSrc = csp.split("; ").find((d) => d.startsWith("script-src"));
    expect(scriptSrc).toBe("script-src 'self' https://cdn.jsdelivr.net");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const init = await fetch(`${api.url}/docs/init.js`);
    expect(init.headers.get("content-type")).toContain("javascript");
    expect(await init.text()).toContain('url: "/openapi.json"');
  });

  it("answers 404 at /docs with DOCS_ENABLED=false (production's default), and still serves /openapi.json", async () => {
    const docsOff = await openTestApp({ DOCS_ENABLED: "false" });
    try {
      expect((await fetch(`${docsOff.url}/docs`)).status).toBe(404);
      expect((await fetch(`${docsOff.url}/openapi.json`)).status).toBe(200);
    } finally {
      await docsOff.close();
    }
  });
});
