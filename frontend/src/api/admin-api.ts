import { toApiError } from "./api-error.ts";
import { api } from "./client.ts";
import type { Page } from "./page.ts";

export interface AdminUser {
  id: string;
  email: string;
  name: string;
  role: "user" | "admin";
  createdAt: string;
}

export async function listUsers(cursor: string | undefined, limit = 20): Promise<Page<AdminUser>> {
  const response = await api.api.v1.admin.users.$get({
    query: cursor ? { limit: String(limit), cursor } : { limit: String(limit) },
  });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}
