import type { OpenAPIHono } from "@hono/zod-openapi";
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
  if (options.docs) {
    app.get("/docs", (c) => c.html(DOCS_PAGE, 200, { "Content-Security-Policy": DOCS_CSP }));
    app.get("/docs/init.js", (c) =>
      c.body(DOCS_INIT, 200, { "Content-Type": "text/javascript; charset=utf-8", "Content-Security-Policy": DOCS_CSP }),
    );
  }
}

/**
 * The interactive reference's script: Scalar's standalone bundle at an exact version from jsDelivr,
 * with Subresource Integrity, so a changed file (a compromised CDN or package) does not run on the
 * API's origin. jsDelivr serves npm files as published; the hash is of
 * `dist/browser/standalone.js` in the npm tarball:
 *   npm pack @scalar/api-reference@1.76.0 && tar -xzf scalar-api-reference-1.76.0.tgz &&
 *   openssl dgst -sha384 -binary package/dist/browser/standalone.js | openssl base64 -A
 * To upgrade, change both together.
 */
export const SCALAR_SCRIPT = {
  url: "https://cdn.jsdelivr.net/npm/@scalar/api-reference@1.76.0/dist/browser/standalone.js",
  integrity: "sha384-oH1C0RwqcwbVXkC+r8A+4qRoyEUQdtxAzOwumkxZtQBBcsy61FOoPt7B50OVJYYQ",
};

/**
 * No inline script (the page starts the reference from /docs/init.js), scripts only from this origin
 * and the pinned CDN file, requests only to this origin. Scalar sets styles at run time, hence
 * 'unsafe-inline' for styles alone; its default web fonts are off (withDefaultFonts: false).
 */
export const DOCS_CSP = [
  "default-src 'none'",
  `script-src 'self' ${new URL(SCALAR_SCRIPT.url).origin}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Coaching App API</title>
</head>
<body>
<div id="app"></div>
<script src="${SCALAR_SCRIPT.url}" integrity="${SCALAR_SCRIPT.integrity}" crossorigin="anonymous"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

const DOCS_INIT = `Scalar.createApiReference("#app", { url: "/openapi.json", withDefaultFonts: false });\n`;
