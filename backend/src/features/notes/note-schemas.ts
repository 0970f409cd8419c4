import { z } from "@hono/zod-openapi";
import { pageQuery, pageSchema } from "../../http/pagination.ts";

export const noteVisibility = z.enum(["private", "shared"]);

export const NoteSchema = z
  .object({
    id: z.uuid(),
    clientId: z.uuid(),
    appointmentId: z.uuid().nullable(),
    authorId: z.string().nullable(),
    body: z.string(),
    visibility: noteVisibility,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Note");

export const NotePageSchema = pageSchema(NoteSchema).openapi("NotePage");

const body = z.string().min(1).max(20_000);

export const CreateNoteSchema = z
  .object({ body, visibility: noteVisibility.default("private"), appointmentId: z.uuid().nullable().optional() })
  .openapi("CreateNote");

export const UpdateNoteSchema = z
  .object({ body: body.optional(), visibility: noteVisibility.optional() })
  .refine((b) => Object.keys(b).length > 0, { message: "Send at least one field to change." })
  .openapi("UpdateNote");

export const ListNotesQuery = pageQuery.extend({ visibility: noteVisibility.optional() });
