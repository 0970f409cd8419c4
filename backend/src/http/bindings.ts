import type { Deps } from "../deps.ts";

/** Per-request values that middleware puts on the Hono context. */
export interface AppBindings {
  Variables: {
    requestId: string;
    deps: Deps;
    userId?: string;
  };
}
