import { expect } from "vitest";
import type { TestApp } from "./test-app.ts";

/**
 * Every (method, path, status) the test apps of this file answered. Vitest runs each test file in a
 * process of its own, so this module-level record is one file's traffic.
 */
const observed = new Map<string, { method: string; path: string; status: number }>();

/** Called by the test app's server for every response it sends. */
export function recordResponse(method: string, url: string, status: number) {
  const path = new URL(url).pathname;
  observed.set(`${method} ${path} ${status}`, { method, path, status });
}

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  params: number;
  declared: Set<string>;
}

type OpenApiDocument = { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };

/** The operations of a document, each with a regex that matches the request paths it serves. */
function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([template, methods]) => {
    const source = template
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))
      .join("[^/]+");
    return Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      template,
      pattern: new RegExp(`^${source}$`),
      params: template.split("{").length - 1,
      declared: new Set(Object.keys(operation.responses ?? {})),
    }));
  });
}

/**
 * The statuses this file's requests got that `/openapi.json` does not declare for their operation,
 * as `METHOD /path/{template} status`. Requests to undocumented paths (probes, /health) are not
 * checked here: openapi.test.ts checks that every served route is documented.
 */
export async function undeclaredStatuses(api: TestApp) {
  const document = (await (await api.app.request("/openapi.json")).json()) as OpenApiDocument;
  // A literal segment wins over a parameter, as in the router.
  const operations = operationsOf(document).sort((a, b) => a.params - b.params);
  const missing = new Set<string>();
  let checked = 0;
  for (const { method, path, status } of observed.values()) {
    const operation = operations.find((o) => o.method === method && o.pattern.test(path));
    if (!operation) continue;
    checked += 1;
    if (!operation.declared.has(String(status))) missing.add(`${method} ${operation.template} ${status}`);
  }
  return { checked, missing: [...missing].sort() };
}

/** For afterAll: fails the file when its tests saw a status the document does not declare. */
export async function expectObservedStatusesDeclared(api: TestApp | undefined) {
  if (!api) return; // beforeAll failed, and said so
  const { checked, missing } = await undeclaredStatuses(api);
  expect(checked, "responses to documented operations observed").toBeGreaterThan(0);
  expect(missing, "statuses observed but not declared in /openapi.json").toEqual([]);
}
