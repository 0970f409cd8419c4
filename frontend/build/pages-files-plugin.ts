import type { Plugin } from "vite";

export interface PagesFilesOptions {
  /** Origin of the API (`VITE_API_URL`); the only cross-origin target besides uploads. */
  apiOrigin: string;
  /** Origin of the presigned upload/download host (R2), if any. */
  uploadOrigin: string | undefined;
}

/** Security headers every page response carries (docs/frontend.md § What the build emits for Pages). */
export function securityHeaders({ apiOrigin, uploadOrigin }: PagesFilesOptions): Record<string, string> {
  const connect = ["'self'", apiOrigin, uploadOrigin].filter(Boolean).join(" ");
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    // React sets style props through the CSSOM, which CSP does not govern, so no 'unsafe-inline' here.
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
  };
}

/** Renders Cloudflare Pages' `_headers` file. */
export function renderHeadersFile(options: PagesFilesOptions): string {
  const block = (path: string, headers: Record<string, string>) =>
    [path, ...Object.entries(headers).map(([name, value]) => `  ${name}: ${value}`)].join("\n");
  return `${[
    block("/*", securityHeaders(options)),
    // Vite puts content-hashed files under /assets, so they never change once published.
    block("/assets/*", { "Cache-Control": "public, max-age=31536000, immutable" }),
    // The HTML names the current hashes: browsers must revalidate it on every visit.
    block("/index.html", { "Cache-Control": "no-cache" }),
    block("/", { "Cache-Control": "no-cache" }),
  ].join("\n\n")}\n`;
}

/** SPA fallback: every unknown path renders index.html with status 200. */
export const REDIRECTS_FILE = "/* /index.html 200\n";

/** Emits `_headers` and `_redirects` into the build output for Cloudflare Pages. */
export function pagesFiles(options: PagesFilesOptions): Plugin {
  return {
    name: "coaching-app:pages-files",
    apply: "build",
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "_headers", source: renderHeadersFile(options) });
      this.emitFile({ type: "asset", fileName: "_redirects", source: REDIRECTS_FILE });
    },
  };
}
