import type { InferResponseType } from "hono/client";
import { ApiError } from "./api-error.ts";
import { authRequest } from "./auth-request.ts";
import { api } from "./client.ts";
import { unwrap } from "./unwrap.ts";

const me = api.api.v1.me;

export type Me = InferResponseType<(typeof me)["$get"], 200>;

/** better-auth's get-session answers `{session, user}` when signed in and `null` when not. */
function hasUser(session: unknown): boolean {
  return typeof session === "object" && session !== null && "user" in session && Boolean(session.user);
}

/**
 * The signed-in user, or null. Asks better-auth's get-session first because it answers 200 with
 * `null` when signed out, so a signed-out visit makes no failing request (no console noise).
 */
export async function fetchMe(): Promise<Me | null> {
  if (!hasUser(await authRequest("GET", "/api/auth/get-session"))) return null;
  try {
    return await unwrap(me.$get());
  } catch (error) {
    // The session ended between the two requests.
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function signIn(input: { email: string; password: string }): Promise<unknown> {
  return authRequest("POST", "/api/auth/sign-in/email", input);
}

export function signUp(input: { name: string; email: string; password: string }): Promise<unknown> {
  return authRequest("POST", "/api/auth/sign-up/email", input);
}

export function signOut(): Promise<unknown> {
  return authRequest("POST", "/api/auth/sign-out");
}
