import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../../db/database.ts";
import { AppError } from "../../http/app-error.ts";
import { findClient } from "../clients/client-queries.ts";

export const INVITE_TTL_DAYS = 7;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** A single-use invite link token for a roster entry; only its hash is stored. */
export async function createInvite(db: Db, clientId: string, coachId: string) {
  const owned = await db
    .selectFrom("clients")
    .select("id")
    .where("id", "=", clientId)
    .where("coach_id", "=", coachId)
    .executeTakeFirst();
  if (!owned) return undefined;
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + INVITE_TTL_DAYS * 24 * 60 * 60 * 1000);
  await db
    .insertInto("invites")
    .values({ client_id: clientId, token_hash: hashToken(token), expires_at: expiresAt })
    .execute();
  return { token, expiresAt: expiresAt.toISOString() };
}

/**
 * Links the caller to the invite's roster entry. Unknown or already used → 404, expired → 410, the
 * coach's own invite → 403, an entry already linked to someone else → 409. The conditional update
 * makes the token single-use even when two people accept at the same moment.
 */
export async function acceptInvite(db: Db, token: string, userId: string) {
  const clientId = await db.transaction().execute(async (trx) => {
    const invite = await trx
      .selectFrom("invites")
      .innerJoin("clients", "clients.id", "invites.client_id")
      .select([
        "invites.id",
        "invites.expires_at",
        "invites.accepted_at",
        "clients.id as client_id",
        "clients.coach_id",
        "clients.linked_user_id",
      ])
      .where("invites.token_hash", "=", hashToken(token))
      .forUpdate()
      .executeTakeFirst();
    if (!invite || invite.accepted_at) throw AppError.notFound("This invite does not exist or was already used.");
    if (invite.expires_at.getTime() <= Date.now())
      throw new AppError(410, "gone", "This invite has expired; ask your coach for a new one.");
    if (invite.coach_id === userId) throw AppError.forbidden("You cannot accept your own invite.");
    if (invite.linked_user_id && invite.linked_user_id !== userId) {
      throw new AppError(409, "conflict", "This client is already linked to another account.");
    }
    const used = await trx
      .updateTable("invites")
      .set({ accepted_at: new Date(), accepted_by: userId })
      .where("id", "=", invite.id)
      .where("accepted_at", "is", null)
      .executeTakeFirst();
    if (used.numUpdatedRows === 0n) throw AppError.notFound("This invite does not exist or was already used.");
    await trx
      .updateTable("clients")
      .set({ linked_user_id: userId, updated_at: new Date() })
      .where("id", "=", invite.client_id)
      .execute();
    return invite.client_id;
  });
  return findClient(db, clientId, userId);
}
