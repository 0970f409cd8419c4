import type { Deps } from "../deps.ts";
import { createAuth } from "./auth.ts";
import { createSessionCacheEpoch } from "./session-cache-epoch.ts";

/**
 * Creates the admin account from ADMIN_EMAIL/ADMIN_PASSWORD if the email is free. An existing
 * account with that email is never promoted here: whoever registered the address first would
 * become admin with their own password. "taken" says so; `pnpm admin:promote <email>` is the
 * explicit way. Idempotent: safe at every start and from two nodes at once.
 */
export async function ensureAdmin(
  deps: Pick<Deps, "config" | "db" | "redis" | "logger">,
  admin: { email: string; password: string },
): Promise<"created" | "unchanged" | "taken"> {
  const email = admin.email.trim().toLowerCase();
  const ctx = await createAuth(deps).$context;
  const existing = await deps.db
    .selectFrom("user")
    .select(["id", "role"])
    .where("email", "=", email)
    .executeTakeFirst();
  if (existing) return existing.role === "admin" ? "unchanged" : "taken";
  // Created through better-auth's own adapter so the password hash and account row are exactly what
  // sign-in expects.
  const hash = await ctx.password.hash(admin.password);
  try {
    const user = await ctx.internalAdapter.createUser(
      { email, name: "Administrator", emailVerified: true, role: "admin" },
      { method: "admin" },
    );
    await ctx.internalAdapter.linkAccount({
      userId: user.id,
      providerId: "credential",
      accountId: user.id,
      password: hash,
    });
    return "created";
  } catch (error) {
    // Another node created it between our read and our insert.
    const raced = await deps.db.selectFrom("user").select("role").where("email", "=", email).executeTakeFirst();
    if (raced) return raced.role === "admin" ? "unchanged" : "taken";
    throw error;
  }
}

/**
 * Makes an existing account an admin and signs it out everywhere (its sessions deleted from
 * Postgres and from the Redis cache), so the role takes effect on a fresh sign-in and any session
 * someone else may hold of that account ends with the promotion.
 */
export async function promoteAdmin(
  deps: Pick<Deps, "config" | "db" | "redis" | "logger">,
  email: string,
): Promise<{ userId: string; sessionsRevoked: number } | undefined> {
  const epoch = deps.redis && createSessionCacheEpoch(deps.redis, `${deps.config.redisKeyPrefix}auth:`, deps.logger);
  const ctx = await createAuth(deps, epoch || undefined).$context;
  const user = await deps.db
    .selectFrom("user")
    .select("id")
    .where("email", "=", email.trim().toLowerCase())
    .executeTakeFirst();
  if (!user) return undefined;
  const sessions = await deps.db
    .selectFrom("session")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("userId", "=", user.id)
    .executeTakeFirstOrThrow();
  await ctx.internalAdapter.updateUser(user.id, { role: "admin" });
  await ctx.internalAdapter.deleteUserSessions(user.id);
  return { userId: user.id, sessionsRevoked: Number(sessions.n) };
}
