import type { InferRequestType, InferResponseType } from "hono/client";
import { api } from "./client.ts";
import { unwrap } from "./unwrap.ts";

const clientNotes = api.api.v1.clients[":id"].notes;
const note = api.api.v1.notes[":id"];

export type Note = InferResponseType<(typeof clientNotes)["$post"], 201>;
export type NoteVisibility = Note["visibility"];
export type NoteInput = InferRequestType<(typeof clientNotes)["$post"]>["json"];
export type NoteChanges = InferRequestType<(typeof note)["$patch"]>["json"];

export function listNotes(clientId: string, cursor?: string) {
  return unwrap(clientNotes.$get({ param: { id: clientId }, query: cursor ? { cursor } : {} }));
}

export function createNote(clientId: string, input: NoteInput) {
  return unwrap(clientNotes.$post({ param: { id: clientId }, json: input }));
}

export function deleteNote(id: string) {
  return unwrap(note.$delete({ param: { id } }));
}

export function updateNote(id: string, changes: NoteChanges) {
  return unwrap(note.$patch({ param: { id }, json: changes }));
}
