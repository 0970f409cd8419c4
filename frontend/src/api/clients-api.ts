import type { InferRequestType, InferResponseType } from "hono/client";
import { toApiError } from "./api-error.ts";
import { api } from "./client.ts";

const clients = api.api.v1.clients;
const client = clients[":id"];

export type Client = InferResponseType<(typeof client)["$get"], 200>;
export type ClientStatus = Client["status"];
export type ClientQuery = InferRequestType<(typeof clients)["$get"]>["query"];
export type ClientInput = InferRequestType<(typeof clients)["$post"]>["json"];
export type ClientChanges = InferRequestType<(typeof client)["$patch"]>["json"];
export type Invite = InferResponseType<(typeof client)["invites"]["$post"], 201>;

export async function listClients(query: ClientQuery) {
  const response = await clients.$get({ query });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function getClient(id: string) {
  const response = await client.$get({ param: { id } });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function createClient(input: ClientInput) {
  const response = await clients.$post({ json: input });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function updateClient(id: string, changes: ClientChanges) {
  const response = await client.$patch({ param: { id }, json: changes });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function deleteClient(id: string): Promise<void> {
  const response = await client.$delete({ param: { id } });
  if (!response.ok) throw await toApiError(response);
}

export async function createInvite(clientId: string) {
  const response = await client.invites.$post({ param: { id: clientId } });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function acceptInvite(token: string) {
  const response = await api.api.v1.invites[":token"].accept.$post({ param: { token } });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}
