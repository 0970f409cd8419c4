/** API origin baked in at build time; `vite.config.ts` defaults it to http://localhost:3001 in dev. */
export const API_URL: string = import.meta.env.VITE_API_URL;
