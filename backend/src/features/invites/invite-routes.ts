import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../http/app-error.ts";
import { ErrorSchema, errorResponses } from "../../http/error-schema.ts";
import { json } from "../../http/openapi-helpers.ts";
import { createRouter } from "../../http/router.ts";
import { ClientSchema, IdParam } from "../clients/client-schemas.ts";
import { writtenOrDenied } from "../roster/roster-access.ts";
import { acceptInvite, createInvite } from "./invite-queries.ts";

const tags = ["Invites"];
const { 401: unauthenticated, 404: notFound } = errorResponses;

export const InviteSchema = z
  .object({ token: z.string(), expiresAt: z.iso.datetime() })
  .openapi("Invite", { description: "Share `/invite/<token>` with the client; valid for 7 days, once." });

const TokenParam = z.object({
  token: z
    .string()
    .regex(/^[\w-]{16,128}$/, "Invalid invite token.")
    .openapi({ param: { name: "token", in: "path" } }),
});

const create = createRoute({
  method: "post",
  path: "/api/v1/clients/{id}/invites",
  tags,
  request: { params: IdParam },
  responses: { 201: json(InviteSchema, "A new invite link token"), 401: unauthenticated, 404: notFound },
});

const accept = createRoute({
  method: "post",
  path: "/api/v1/invites/{token}/accept",
  tags,
  request: { params: TokenParam },
  responses: {
    200: json(ClientSchema, "The roster entry the caller is now linked to"),
    404: notFound,
    409: json(ErrorSchema, "Already linked to someone else (`conflict`)"),
    410: json(ErrorSchema, "Expired (`gone`)"),
  },
});

export function inviteRoutes() {
  return createRouter()
    .openapi(create, async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      const invite = await createInvite(db, id, c.get("user").id);
      return c.json(await writtenOrDenied(db, id, c.get("user").id, invite), 201);
    })
    .openapi(accept, async (c) => {
      const client = await acceptInvite(c.get("deps").db, c.req.valid("param").token, c.get("user").id);
      if (!client) throw AppError.notFound("Client not found.");
      return c.json(client, 200);
    });
}
