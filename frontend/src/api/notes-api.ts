import type { InferRequestType, InferResponseType } from "hono/client";
import { toApiError } from "./api-error.ts";
import { api } from "./client.ts";

const clientNotes = api.api.v1.clients[":id"].notes;
const note = api.api.v1.notes[":id"];

export type Note = InferResponseType<(typeof clientNotes)["$post"], 201>;
export type NoteVisibility = Note["visibility"];
export type NoteInput = InferRequestType<(typeof clientNotes)["$post"]>["json"];
export type NoteChanges = InferRequestType<(typeof note)["$patch"]>["json"];

export async function listNotes(clientId: string, cursor?: string) {
  const response = await clientNotes.$get({ param: { id: clientId }, query: cursor ? { cursor } : {} });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function createNote(clientId: string, input: NoteInput) {
  const response = await clientNotes.$post({ param: { id: clientId }, json: input });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function deleteNote(id: string): Promise<void> {
  const response = await note.$delete({ param: { id } });
  if (!response.ok) throw await toApiError(response);
}

export async function updateNote(id: string, changes: NoteChanges) {
  const response = await note.$patch({ param: { id }, json: changes });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}
