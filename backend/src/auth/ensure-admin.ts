import type { Deps } from "../deps.ts";
import { createAuth } from "./auth.ts";

/**
 * Creates the admin account from ADMIN_EMAIL/ADMIN_PASSWORD if it does not exist, or promotes an
 * existing user with that email. Idempotent: safe at every start and from two nodes at once.
 */
export async function ensureAdmin(
  deps: Pick<Deps, "config" | "db" | "redis" | "logger">,
  admin: { email: string; password: string },
): Promise<"created" | "promoted" | "unchanged"> {
  const email = admin.email.trim().toLowerCase();
  const ctx = await createAuth(deps).$context;
  const existing = await deps.db
    .selectFrom("user")
    .select(["id", "role"])
    .where("email", "=", email)
    .executeTakeFirst();
  if (existing) {
    if (existing.role === "admin") return "unchanged";
    // Through better-auth, so the cached copies of this user's sessions carry the new role too.
    await ctx.internalAdapter.updateUser(existing.id, { role: "admin" });
    return "promoted";
  }
  // Created through better-auth's own adapter so the password hash and account row are exactly what
  // sign-in expects; the local default password is shorter than the sign-up minimum.
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
    const raced = await deps.db.selectFrom("user").select("id").where("email", "=", email).executeTakeFirst();
    if (raced) return "unchanged";
    throw error;
  }
}
