import type { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import type { AppBindings } from "../../http/bindings.ts";
import { registerAuthPaths } from "./auth-paths.ts";

/**
 * `GET /openapi.json` (OpenAPI 3.1, generated from the route schemas, for mobile codegen) and, with
 * `docs`, `GET /docs` (an interactive reference that reads it; DOCS_ENABLED, off by default in
 * staging and production: it loads a third-party script on the API's origin).
 */
export function mountApiDocs(app: OpenAPIHono<AppBindings>, serverUrl: string, options: { docs: boolean }) {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "The `set-auth-token` header of a sign-in response (mobile apps).",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "cookie", {
    type: "apiKey",
    in: "cookie",
    name: "better-auth.session_token",
    description: "The session cookie set by sign-in (web app; `__Host-` prefixed in production).",
  });
  registerAuthPaths(app.openAPIRegistry);
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Coaching App API",
      version: "1.0.0",
      description:
        "Coaches, clients, appointments, notes, goals and files. Every `/api/v1` route needs a session " +
        "(cookie or bearer token); `/api/public` routes need none. Errors: `{error: {code, message, details?}}`. " +
        "Lists: `{items, nextCursor}`.",
    },
    servers: [{ url: serverUrl }],
    // No document-wide `security`: each operation states its own (apiRoute, publicRoute, auth-paths.ts),
    // so the linter's security-defined rule catches one that states none.
  });
  if (options.docs) app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "Coaching App API" }));
}
