import { createRoute, z } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../src/app.ts";
import { openTestApp, type TestApp } from "./support/test-app.ts";

const WEB_ORIGIN = "https://app.example.test";

// A JSON route and a failing route, mounted on the real app to exercise the shared error handling.
function addProbeRoutes(app: App) {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/probe",
      request: {
        body: {
          content: { "application/json": { schema: z.object({ name: z.string().min(1), age: z.number().int() }) } },
        },
      },
      responses: { 200: { description: "ok" } },
    }),
    (c) => c.json({ ok: true, name: c.req.valid("json").name }, 200),
  );
  app.get("/api/explode", () => {
    throw new Error("select * from secret_table where password = 'hunter2'");
  });
}

let api: TestApp;

beforeAll(async () => {
  api = await openTestApp({ CORS_ORIGIN: WEB_ORIGIN }, addProbeRoutes);
});

afterAll(async () => {
  await api.close();
});

const expectErrorShape = async (response: Response, status: number, code: string) => {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/json");
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(Object.keys(body)).toEqual(["error"]);
  return body;
};

describe("error shape", () => {
  it("answers an unknown route with 404 not_found", async () => {
    await expectErrorShape(await fetch(`${api.url}/nope`), 404, "not_found");
  });

  it("answers malformed JSON with 400 validation_failed", async () => {
    const response = await fetch(`${api.url}/api/probe`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name": "x",',
    });
    await expectErrorShape(response, 400, "validation_failed");
  });

  it("lists each invalid field in details", async () => {
    const response = await fetch(`${api.url}/api/probe`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "", age: "old" }),
    });
    const body = await expectErrorShape(response, 400, "validation_failed");
    const details = (body.error as unknown as { details: { path: string }[] }).details;
    expect(details.map((d) => d.path).sort()).toEqual(["age", "name"]);
  });

  it("answers a non-JSON body with 415 unsupported_media_type", async () => {
    const response = await fetch(`${api.url}/api/probe`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "name=x",
    });
    await expectErrorShape(response, 415, "unsupported_media_type");
  });

  it("answers an oversized body with 413 payload_too_large", async () => {
    const response = await fetch(`${api.url}/api/probe`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(2 * 1024 * 1024), age: 1 }),
    });
    await expectErrorShape(response, 413, "payload_too_large");
  });

  it("answers a thrown error with 500 internal, the request id and no stack or SQL", async () => {
    const response = await fetch(`${api.url}/api/explode`);
    const text = await response.clone().text();
    const body = await expectErrorShape(response, 500, "internal");
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toBeTruthy();
    expect(body.error.message).toContain(requestId as string);
    expect(text).not.toMatch(/select|secret_table|hunter2|at .*\.ts/i);
    const logged = api.logs.find((line) => line.msg === "unhandled error");
    expect(logged?.reqId).toBe(requestId);
  });

  it("passes a valid request through", async () => {
    const response = await fetch(`${api.url}/api/probe`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Ada", age: 36 }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, name: "Ada" });
  });
});

describe("response headers", () => {
  const paths = ["/health", "/health/ready", "/nope", "/api/explode"];

  it.each(paths)("sets every security header and a request id on %s", async (path) => {
    const response = await fetch(`${api.url}${path}`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("permissions-policy")).toBe("camera=(), microphone=(), geolocation=()");
    expect(response.headers.get("x-request-id")).toMatch(/^[\w-]{8,}$/);
    // HSTS only where TLS terminates in front of us (staging/production).
    expect(response.headers.get("strict-transport-security")).toBeNull();
  });

  it("keeps a well-formed incoming request id and replaces a malformed one", async () => {
    const kept = await fetch(`${api.url}/health`, { headers: { "x-request-id": "edge-abc-123" } });
    expect(kept.headers.get("x-request-id")).toBe("edge-abc-123");
    const replaced = await fetch(`${api.url}/health`, { headers: { "x-request-id": "bad id <script>" } });
    expect(replaced.headers.get("x-request-id")).not.toContain("script");
  });

  it("logs one line per request with method, path, status, duration and request id", async () => {
    const response = await fetch(`${api.url}/nope?x=1`, { headers: { authorization: "Bearer top-secret" } });
    const line = api.logs.find((l) => l.msg === "request" && l.reqId === response.headers.get("x-request-id"));
    expect(line).toMatchObject({ method: "GET", path: "/nope", status: 404 });
    expect(typeof line?.ms).toBe("number");
    expect(JSON.stringify(api.logs)).not.toContain("top-secret");
  });

  it("does not log health checks at info", async () => {
    const response = await fetch(`${api.url}/health`);
    const id = response.headers.get("x-request-id");
    expect(api.logs.some((l) => l.reqId === id)).toBe(false);
  });
});

describe("CORS", () => {
  it("allows the configured origin with credentials", async () => {
    const response = await fetch(`${api.url}/health`, { headers: { origin: WEB_ORIGIN } });
    expect(response.headers.get("access-control-allow-origin")).toBe(WEB_ORIGIN);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-expose-headers")).toContain("set-auth-token");
    expect(response.headers.get("vary")).toContain("Origin");
  });

  it("gives a foreign origin no CORS headers", async () => {
    const response = await fetch(`${api.url}/health`, { headers: { origin: "https://evil.example" } });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("answers a preflight from the configured origin and not from a foreign one", async () => {
    const preflight = (origin: string) =>
      fetch(`${api.url}/api/probe`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });
    const allowed = await preflight(WEB_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(WEB_ORIGIN);
    expect(allowed.headers.get("access-control-allow-methods")).toContain("PATCH");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    const foreign = await preflight("https://evil.example");
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });
});
