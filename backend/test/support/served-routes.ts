import type { App } from "../../src/app.ts";
import { API_PREFIX, PUBLIC_PREFIX } from "../../src/http/api-route.ts";

/**
 * Every route the app serves under /api/v1 and /api/public, read from the router itself (so a route
 * cannot hide from the tests that need one entry per route), as `get /api/v1/clients/{id}`.
 */
export function servedApiRoutes(app: App): string[] {
  const routes = app.routes
    .filter((r) => r.method !== "ALL" && !r.path.endsWith("*"))
    .filter((r) => r.path.startsWith(API_PREFIX) || r.path.startsWith(PUBLIC_PREFIX))
    .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
  return [...new Set(routes)];
}
