import { createRoute } from "@hono/zod-openapi";
import { AppError } from "../../http/app-error.ts";
import { ErrorSchema, errorResponses } from "../../http/error-schema.ts";
import { json, jsonBody } from "../../http/openapi-helpers.ts";
import { createRouter } from "../../http/router.ts";
import { writeDenied, writtenOrDenied } from "../roster/roster-access.ts";
import { createClient, deleteClient, findClient, listClients, updateClient } from "./client-queries.ts";
import {
  ClientPageSchema,
  ClientSchema,
  CreateClientSchema,
  IdParam,
  ListClientsQuery,
  UpdateClientSchema,
} from "./client-schemas.ts";

const tags = ["Clients"];
const { 400: invalid, 401: unauthenticated, 404: notFound } = errorResponses;

const list = createRoute({
  method: "get",
  path: "/api/v1/clients",
  tags,
  request: { query: ListClientsQuery },
  responses: { 200: json(ClientPageSchema, "A page of roster entries"), 400: invalid, 401: unauthenticated },
});

const create = createRoute({
  method: "post",
  path: "/api/v1/clients",
  tags,
  request: { body: jsonBody(CreateClientSchema) },
  responses: { 201: json(ClientSchema, "The new roster entry"), 400: invalid, 401: unauthenticated },
});

const get = createRoute({
  method: "get",
  path: "/api/v1/clients/{id}",
  tags,
  request: { params: IdParam },
  responses: { 200: json(ClientSchema, "The roster entry"), 401: unauthenticated, 404: notFound },
});

const update = createRoute({
  method: "patch",
  path: "/api/v1/clients/{id}",
  tags,
  request: { params: IdParam, body: jsonBody(UpdateClientSchema) },
  responses: { 200: json(ClientSchema, "The updated entry"), 400: invalid, 401: unauthenticated, 404: notFound },
});

const remove = createRoute({
  method: "delete",
  path: "/api/v1/clients/{id}",
  tags,
  request: { params: IdParam },
  responses: {
    204: { description: "Deleted with its appointments, notes, goals, check-ins, invites and files" },
    404: notFound,
    503: json(ErrorSchema, "File storage failed; the client stays, try again (`service_unavailable`)"),
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
