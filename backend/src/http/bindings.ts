import type { Deps } from "../deps.ts";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: "user" | "admin";
}

/** Per-request values that middleware puts on the Hono context. */
export interface AppBindings {
  Variables: {
    requestId: string;
    deps: Deps;
    clientIp: string;
    /** The client's rate-limit bucket: its address, or for IPv6 its /64 (clientIp middleware). */
    clientKey: string;
    /** Set by requireSession on /api/v1/*. */
    user: SessionUser;
    userId?: string;
    /** Where requireSession found the session: the Redis fast path or better-auth (logged). */
    sessionSource?: "cache" | "better-auth";
  };
}
