import react from "@vitejs/plugin-react";
import { defineConfig, loadEnv } from "vite";
import { pagesFiles } from "./build/pages-files-plugin.ts";

const DEV_API_URL = "http://localhost:3001";

/** Validates a URL-valued env var and returns its origin, or throws a message naming the variable. */
function originOf(name: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http(s)");
    return url.origin;
  } catch {
    throw new Error(`${name} must be an absolute http(s) URL such as https://api.example.com (got "${value}")`);
  }
}

export default defineConfig(({ command, mode }) => {
  const env = { ...loadEnv(mode, process.cwd(), "VITE_"), ...pick(process.env) };
  const isProductionBuild = command === "build" && mode === "production";
  if (isProductionBuild && !env.VITE_API_URL) {
    throw new Error(
      "VITE_API_URL is required for a production build: the API origin is baked into the bundle and the CSP " +
        "(e.g. VITE_API_URL=https://api.example.com pnpm --filter @coaching-app/web build:web).",
    );
  }
  const apiOrigin = originOf("VITE_API_URL", env.VITE_API_URL || DEV_API_URL);
  const uploadOrigin = env.VITE_UPLOAD_ORIGIN ? originOf("VITE_UPLOAD_ORIGIN", env.VITE_UPLOAD_ORIGIN) : undefined;

  return {
    plugins: [react(), pagesFiles({ apiOrigin, uploadOrigin })],
    define: { "import.meta.env.VITE_API_URL": JSON.stringify(apiOrigin) },
    server: { port: 5173, strictPort: true },
    build: { outDir: "dist-web", emptyOutDir: true, sourcemap: false },
  };
});

function pick(source: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) if (key.startsWith("VITE_") && value) out[key] = value;
  return out;
}
