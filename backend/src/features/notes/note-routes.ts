import { createRoute } from "@hono/zod-openapi";
import { errorResponses } from "../../http/error-schema.ts";
import { json, jsonBody } from "../../http/openapi-helpers.ts";
import { createRouter } from "../../http/router.ts";
import { IdParam } from "../clients/client-schemas.ts";
import { visiblePage, writtenOrDenied } from "../roster/roster-access.ts";
import { createNote, deleteNote, listNotes, noteWriteDenied, updateNote } from "./note-queries.ts";
import { CreateNoteSchema, ListNotesQuery, NotePageSchema, NoteSchema, UpdateNoteSchema } from "./note-schemas.ts";

const tags = ["Notes"];
const { 400: invalid, 401: unauthenticated, 404: notFound } = errorResponses;

const list = createRoute({
  method: "get",
  path: "/api/v1/clients/{id}/notes",
  tags,
  request: { params: IdParam, query: ListNotesQuery },
  responses: {
    200: json(NotePageSchema, "Newest first; client users see shared notes only"),
    401: unauthenticated,
    404: notFound,
  },
});

const create = createRoute({
  method: "post",
  path: "/api/v1/clients/{id}/notes",
  tags,
  request: { params: IdParam, body: jsonBody(CreateNoteSchema) },
  responses: { 201: json(NoteSchema, "The new note"), 400: invalid, 404: notFound },
});

const update = createRoute({
  method: "patch",
  path: "/api/v1/notes/{id}",
  tags,
  request: { params: IdParam, body: jsonBody(UpdateNoteSchema) },
  responses: { 200: json(NoteSchema, "Updated"), 400: invalid, 404: notFound },
});

const remove = createRoute({
  method: "delete",
  path: "/api/v1/notes/{id}",
  tags,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, 404: notFound },
});

/** Session notes: private to the coach, or shared with the client user. */
export function noteRoutes() {
  return createRouter()
    .openapi(list, async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      const page = await listNotes(db, id, c.get("user").id, c.req.valid("query"));
      return c.json(await visiblePage(db, id, c.get("user").id, page), 200);
    })
    .openapi(create, async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      const note = await createNote(db, id, c.get("user").id, c.req.valid("json"));
      return c.json(await writtenOrDenied(db, id, c.get("user").id, note), 201);
    })
    .openapi(update, async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      const note = await updateNote(db, id, c.get("user").id, c.req.valid("json"));
      if (!note) throw await noteWriteDenied(db, id, c.get("user").id);
      return c.json(note, 200);
    })
    .openapi(remove, async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      if (!(await deleteNote(db, id, c.get("user").id))) throw await noteWriteDenied(db, id, c.get("user").id);
      return c.body(null, 204);
    });
}
