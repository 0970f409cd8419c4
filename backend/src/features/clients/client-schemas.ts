import { z } from "@hono/zod-openapi";
import { pageQuery, pageSchema } from "../../http/pagination.ts";

export const clientStatus = z.enum(["active", "archived"]);

export const ClientSchema = z
  .object({
    id: z.uuid(),
    coachId: z.string(),
    coachName: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    status: clientStatus,
    linkedUserId: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Client");

export const ClientPageSchema = pageSchema(ClientSchema).openapi("ClientPage");

const name = z.string().trim().min(1).max(200);
const email = z.email().max(320).nullable();

export const CreateClientSchema = z.object({ name, email: email.optional() }).openapi("CreateClient");

export const UpdateClientSchema = z
  .object({ name: name.optional(), email: email.optional(), status: clientStatus.optional() })
  .refine((body) => Object.keys(body).length > 0, { message: "Send at least one field to change." })
  .openapi("UpdateClient");

export const ListClientsQuery = pageQuery.extend({
  q: z.string().trim().max(200).optional().openapi({ description: "Matches name or email" }),
  status: clientStatus.optional(),
  as: z
    .enum(["coach", "client"])
    .default("coach")
    .openapi({ description: "coach: my roster (default); client: the roster entries I am linked to" }),
});
