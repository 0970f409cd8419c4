import { createHash } from "node:crypto";
import { EMAIL_MAX, IMAGE_MAX, NAME_MAX } from "../../auth/auth.ts";
import { AppError } from "../../http/app-error.ts";

/** What our guards read of a better-auth request body (the body itself goes to better-auth as is). */
export interface AuthInput {
  /** Trimmed and lower-cased, as the account is looked up. */
  email: string | undefined;
}

const CAPS: [field: string, max: number][] = [
  ["email", EMAIL_MAX],
  ["newEmail", EMAIL_MAX],
  ["name", NAME_MAX],
  ["image", IMAGE_MAX],
];

/**
 * Reads a better-auth request body and refuses over-long fields before anything keys on them: a
 * limiter keyed on a 1 MB "email" made 1 MB Redis keys (or, with Redis down, heap entries), and
 * `name` and `image` are copied into every cached session of the user.
 */
export function readAuthInput(body: string | undefined): AuthInput {
  let parsed: Record<string, unknown> = {};
  try {
    const value = JSON.parse(body || "{}") as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    // better-auth answers a malformed body itself
  }
  const problems = CAPS.filter(
    ([field, max]) => typeof parsed[field] === "string" && (parsed[field] as string).length > max,
  ).map(([field, max]) => ({ path: field, message: `At most ${max} characters.` }));
  if (problems.length > 0) throw AppError.validation(problems);
  return { email: typeof parsed.email === "string" ? parsed.email.trim().toLowerCase() : undefined };
}

/** A limiter key for a secret or personal value: a hash, so Redis holds no emails or tokens. */
export function hashedKey(value: string): string {
  return createHash("sha256").update(value).digest("base64url").slice(0, 22);
}

/**
 * Removes raw session tokens from a better-auth JSON answer (`token` of sign-in and sign-up,
 * `session.token` of get-session, each `token` of list-sessions). The raw token is what Postgres
 * and Redis store; clients need only the signed one, in the cookie or `set-auth-token`.
 */
export function withoutRawTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRawTokens);
  if (!value || typeof value !== "object") return value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  delete copy.token;
  if (copy.session && typeof copy.session === "object") {
    const { token: _token, ...session } = copy.session as Record<string, unknown>;
    copy.session = session;
  }
  return copy;
}
