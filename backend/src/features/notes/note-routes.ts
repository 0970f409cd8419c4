import { apiRoute } from "../../http/api-route.ts";
import { errorResponse } from "../../http/error-schema.ts";
import { IdParam } from "../../http/id-param.ts";
import { json, jsonBody } from "../../http/openapi-helpers.ts";
import { createRouter } from "../../http/router.ts";
import { visiblePage, writtenOrDenied } from "../roster/roster-access.ts";
import { createNote, deleteNote, listNotes, noteWriteDenied, updateNote } from "./note-queries.ts";
import { CreateNoteSchema, ListNotesQuery, NotePageSchema, NoteSchema, UpdateNoteSchema } from "./note-schemas.ts";

const tags = ["Notes"];
const clientNotFound = errorResponse(
  "No such roster entry, or the caller is neither its coach nor its client user (`not_found`)",
);
const noteNotFound = errorResponse(
  "No such note, or not visible to the caller: private notes are the coach's (`not_found`)",
);
const coachOnly = errorResponse("The caller is the client user: only the coach can do this (`forbidden`)");

const list = apiRoute({
  method: "get",
  path: "/api/v1/clients/{id}/notes",
  operationId: "ListNotes",
  summary: "List the notes of a roster entry",
  tags,
  request: { params: IdParam, query: ListNotesQuery },
  responses: { 200: json(NotePageSchema, "Newest first; client users see shared notes only"), 404: clientNotFound },
});

const create = apiRoute({
  method: "post",
  path: "/api/v1/clients/{id}/notes",
  operationId: "CreateNote",
  summary: "Write a note on a roster entry",
  tags,
  request: { params: IdParam, body: jsonBody(CreateNoteSchema) },
  responses: { 201: json(NoteSchema, "The new note"), 403: coachOnly, 404: clientNotFound },
});

const update = apiRoute({
  method: "patch",
  path: "/api/v1/notes/{id}",
  operationId: "UpdateNote",
  summary: "Edit a note or change who sees it",
  tags,
  request: { params: IdParam, body: jsonBody(UpdateNoteSchema) },
  responses: { 200: json(NoteSchema, "Updated"), 403: coachOnly, 404: noteNotFound },
});

const remove = apiRoute({
  method: "delete",
  path: "/api/v1/notes/{id}",
  operationId: "DeleteNote",
  summary: "Delete a note",
  tags,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, 403: coachOnly, 404: noteNotFound },
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
