import { toApiError } from "./api-error.ts";
import { api } from "./client.ts";
import { request } from "./request.ts";

export interface Me {
  id: string;
  email: string;
  name: string;
  role: "user" | "admin";
}

interface SessionAnswer {
  user: { id: string } | null;
}

/**
 * The signed-in user, or null. Asks better-auth's get-session first because it answers 200 with
 * `null` when signed out, so a signed-out visit makes no failing request (no console noise).
 */
export async function fetchMe(): Promise<Me | null> {
  const session = await request<SessionAnswer | null>("GET", "/api/auth/get-session");
  if (!session?.user) return null;
  const response = await api.api.v1.me.$get();
  if (response.status === 401) return null;
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export function signIn(input: { email: string; password: string }): Promise<unknown> {
  return request("POST", "/api/auth/sign-in/email", { body: input });
}

export function signUp(input: { name: string; email: string; password: string }): Promise<unknown> {
  return request("POST", "/api/auth/sign-up/email", { body: input });
}

export function signOut(): Promise<unknown> {
  return request("POST", "/api/auth/sign-out", { body: {} });
}
