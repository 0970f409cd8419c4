import type { InferRequestType, InferResponseType } from "hono/client";
import { api } from "./client.ts";
import { unwrap } from "./unwrap.ts";

const clients = api.api.v1.clients;
const client = clients[":id"];

export type Client = InferResponseType<(typeof client)["$get"], 200>;
export type ClientStatus = Client["status"];
export type ClientQuery = InferRequestType<(typeof clients)["$get"]>["query"];
export type ClientInput = InferRequestType<(typeof clients)["$post"]>["json"];
export type ClientChanges = InferRequestType<(typeof client)["$patch"]>["json"];
export type Invite = InferResponseType<(typeof client)["invites"]["$post"], 201>;

export function listClients(query: ClientQuery) {
  return unwrap(clients.$get({ query }));
}

export function getClient(id: string) {
  return unwrap(client.$get({ param: { id } }));
}

export function createClient(input: ClientInput) {
  return unwrap(clients.$post({ json: input }));
}

export function updateClient(id: string, changes: ClientChanges) {
  return unwrap(client.$patch({ param: { id }, json: changes }));
}

export function deleteClient(id: string) {
  return unwrap(client.$delete({ param: { id } }));
}

export function createInvite(clientId: string) {
  return unwrap(client.invites.$post({ param: { id: clientId } }));
}

export function acceptInvite(token: string) {
  return unwrap(api.api.v1.invites[":token"].accept.$post({ param: { token } }));
}
