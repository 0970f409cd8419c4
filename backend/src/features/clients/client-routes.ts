import { apiRoute } from "../../http/api-route.ts";
import { AppError } from "../../http/app-error.ts";
import { errorResponse } from "../../http/error-schema.ts";
import { IdParam } from "../../http/id-param.ts";
import { json, jsonBody } from "../../http/openapi-helpers.ts";
import { createRouter } from "../../http/router.ts";
import { writeDenied, writtenOrDenied } from "../roster/roster-access.ts";
import { createClient, deleteClient, findClient, listClients, updateClient } from "./client-queries.ts";
import {
  ClientPageSchema,
  ClientSchema,
  CreateClientSchema,
  ListClientsQuery,
  UpdateClientSchema,
} from "./client-schemas.ts";

const tags = ["Clients"];
const notFound = errorResponse(
  "No such roster entry, or the caller is neither its coach nor its client user (`not_found`)",
);
const coachOnly = errorResponse("The caller is the entry's client user: only the coach can do this (`forbidden`)");
const emailTaken = errorResponse("Another entry of this coach has this email (`conflict`)");

const list = apiRoute({
  method: "get",
  path: "/api/v1/clients",
  operationId: "ListClients",
  summary: "List my roster, or (as=client) the entries I am the client user of",
  tags,
  request: { query: ListClientsQuery },
  responses: { 200: json(ClientPageSchema, "A page of roster entries, newest first") },
});

const create = apiRoute({
  method: "post",
  path: "/api/v1/clients",
  operationId: "CreateClient",
  summary: "Add a client to my roster",
  tags,
  request: { body: jsonBody(CreateClientSchema) },
  responses: { 201: json(ClientSchema, "The new roster entry"), 409: emailTaken },
});

const get = apiRoute({
  method: "get",
  path: "/api/v1/clients/{id}",
  operationId: "GetClient",
  summary: "Get a roster entry",
  tags,
  request: { params: IdParam },
  responses: { 200: json(ClientSchema, "The roster entry"), 404: notFound },
});

const update = apiRoute({
  method: "patch",
  path: "/api/v1/clients/{id}",
  operationId: "UpdateClient",
  summary: "Rename, re-email or archive a roster entry",
  tags,
  request: { params: IdParam, body: jsonBody(UpdateClientSchema) },
  responses: { 200: json(ClientSchema, "The updated entry"), 403: coachOnly, 404: notFound, 409: emailTaken },
});

const remove = apiRoute({
  method: "delete",
  path: "/api/v1/clients/{id}",
  operationId: "DeleteClient",
  summary: "Delete a roster entry and everything on it",
  tags,
  request: { params: IdParam },
  responses: {
    204: { description: "Deleted with its appointments, notes, goals, check-ins, invites and files" },
    403: coachOnly,
    404: notFound,
    503: errorResponse("The database or file storage is unreachable; the entry stays, retry (`service_unavailable`)"),
  },
});

/** Roster entries: the coach's clients. */
export function clientRoutes() {
  return createRouter()
    .openapi(list, async (c) => {
      return c.json(await listClients(c.get("deps").db, c.get("user").id, c.req.valid("query")), 200);
    })
    .openapi(create, async (c) => {
      return c.json(await createClient(c.get("deps").db, c.get("user").id, c.req.valid("json")), 201);
    })
    .openapi(get, async (c) => {
      const client = await findClient(c.get("deps").db, c.req.valid("param").id, c.get("user").id);
      if (!client) throw AppError.notFound("Client not found.");
      return c.json(client, 200);
    })
    .openapi(update, async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      const client = await updateClient(db, id, c.get("user").id, c.req.valid("json"));
      return c.json(await writtenOrDenied(db, id, c.get("user").id, client), 200);
    })
    .openapi(remove, async (c) => {
      const { db, s3, config } = c.get("deps");
      const { id } = c.req.valid("param");
      const storage = { s3, bucket: config.s3.bucket };
      if (!(await deleteClient(db, storage, id, c.get("user").id))) throw await writeDenied(db, id, c.get("user").id);
      return c.body(null, 204);
    });
}
