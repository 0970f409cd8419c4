import type { ClientQuery } from "./clients-api.ts";

/** What decides which entries a roster list holds; paging belongs to the query, not its key. */
export type ClientListFilters = Pick<ClientQuery, "q" | "status" | "as">;

/**
 * Query keys for roster entries, general to specific, so invalidating a prefix reaches everything
 * under it: `all` (lists and details), `lists()` (every filter), `detail(id)` (one entry).
 */
export const clientKeys = {
  all: ["clients"] as const,
  lists: () => [...clientKeys.all, "list"] as const,
  list: (filters: ClientListFilters) => [...clientKeys.lists(), filters] as const,
  details: () => [...clientKeys.all, "detail"] as const,
  detail: (id: string) => [...clientKeys.details(), id] as const,
};
