import type { InferResponseType } from "hono/client";
import { api } from "./client.ts";
import { unwrap } from "./unwrap.ts";

const users = api.api.v1.admin.users;

export type AdminUser = InferResponseType<(typeof users)["$get"], 200>["items"][number];

export function listUsers(cursor: string | undefined, limit = 20) {
  return unwrap(users.$get({ query: cursor ? { limit: String(limit), cursor } : { limit: String(limit) } }));
}
