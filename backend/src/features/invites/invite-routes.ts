import { z } from "@hono/zod-openapi";
import { apiRoute } from "../../http/api-route.ts";
import { AppError } from "../../http/app-error.ts";
import { errorResponse } from "../../http/error-schema.ts";
import { IdParam } from "../../http/id-param.ts";
import { json } from "../../http/openapi-helpers.ts";
import { createRouter } from "../../http/router.ts";
import { ClientSchema } from "../clients/client-schemas.ts";
import { writtenOrDenied } from "../roster/roster-access.ts";
import { acceptInvite, createInvite } from "./invite-queries.ts";

const tags = ["Invites"];

export const InviteSchema = z
  .object({ token: z.string(), expiresAt: z.iso.datetime() })
  .openapi("Invite", { description: "Share `/invite/<token>` with the client; valid for 7 days, once." });

const TokenParam = z.object({
  token: z
    .string()
    .regex(/^[\w-]{16,128}$/, "Invalid invite token.")
    .openapi({ param: { name: "token", in: "path" } }),
});

const create = apiRoute({
  method: "post",
  path: "/api/v1/clients/{id}/invites",
  operationId: "CreateInvite",
  summary: "Create an invite link for a roster entry's client",
  tags,
  request: { params: IdParam },
  responses: {
    201: json(InviteSchema, "A new invite link token"),
    403: errorResponse("The caller is the entry's client user: only the coach can invite (`forbidden`)"),
    404: errorResponse("No such roster entry, or the caller is neither its coach nor its client user (`not_found`)"),
  },
});

const accept = apiRoute({
  method: "post",
  path: "/api/v1/invites/{token}/accept",
  operationId: "AcceptInvite",
  summary: "Accept an invite: become the roster entry's client user",
  tags,
  request: { params: TokenParam },
  responses: {
    200: json(ClientSchema, "The roster entry the caller is now linked to"),
    403: errorResponse("The caller is the coach who made the invite (`forbidden`)"),
    404: errorResponse("Unknown or already used invite (`not_found`)"),
    409: errorResponse("The entry is already linked to another account (`conflict`)"),
    410: errorResponse("The invite has expired; the coach can make a new one (`gone`)"),
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
