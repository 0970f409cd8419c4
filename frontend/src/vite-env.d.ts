/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** API origin, baked in at build time (see vite.config.ts). */
  readonly VITE_API_URL: string;
}
