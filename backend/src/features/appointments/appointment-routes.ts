import { createRoute } from "@hono/zod-openapi";
import type { Db } from "../../db/database.ts";
import { AppError } from "../../http/app-error.ts";
import { ErrorSchema, errorResponses } from "../../http/error-schema.ts";
import { json, jsonBody } from "../../http/openapi-helpers.ts";
import { createRouter } from "../../http/router.ts";
import { IdParam } from "../clients/client-schemas.ts";
import { writeDenied } from "../roster/roster-access.ts";
import {
  appointmentClientId,
  createAppointment,
  deleteAppointment,
  findAppointment,
  listAppointments,
  updateAppointment,
} from "./appointment-queries.ts";
import {
  AppointmentPageSchema,
  AppointmentSchema,
  CreateAppointmentSchema,
  ListAppointmentsQuery,
  UpdateAppointmentSchema,
} from "./appointment-schemas.ts";

const tags = ["Appointments"];
const { 400: invalid, 401: unauthenticated, 404: notFound } = errorResponses;
const conflict = json(ErrorSchema, "Overlaps another scheduled appointment of the coach (`appointment_conflict`)");

const list = createRoute({
  method: "get",
  path: "/api/v1/appointments",
  tags,
  request: { query: ListAppointmentsQuery },
  responses: { 200: json(AppointmentPageSchema, "Appointments by start time"), 400: invalid, 401: unauthenticated },
});

const create = createRoute({
  method: "post",
  path: "/api/v1/appointments",
  tags,
  request: { body: jsonBody(CreateAppointmentSchema) },
  responses: { 201: json(AppointmentSchema, "Booked"), 400: invalid, 404: notFound, 409: conflict },
});

const get = createRoute({
  method: "get",
  path: "/api/v1/appointments/{id}",
  tags,
  request: { params: IdParam },
  responses: { 200: json(AppointmentSchema, "The appointment"), 401: unauthenticated, 404: notFound },
});

const update = createRoute({
  method: "patch",
  path: "/api/v1/appointments/{id}",
  tags,
  request: { params: IdParam, body: jsonBody(UpdateAppointmentSchema) },
  responses: { 200: json(AppointmentSchema, "Updated"), 400: invalid, 404: notFound, 409: conflict },
});

const remove = createRoute({
  method: "delete",
  path: "/api/v1/appointments/{id}",
  tags,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, 404: notFound },
});

async function denied(db: Db, appointmentId: string, userId: string) {
  const clientId = await appointmentClientId(db, appointmentId);
  return clientId ? writeDenied(db, clientId, userId, "Appointment") : AppError.notFound("Appointment not found.");
}

/** Appointments: the coach books and changes them; a linked client user reads their own. */
export function appointmentRoutes() {
  return createRouter()
    .openapi(list, async (c) => {
      return c.json(await listAppointments(c.get("deps").db, c.get("user").id, c.req.valid("query")), 200);
    })
    .openapi(create, async (c) => {
      const { db } = c.get("deps");
      const input = c.req.valid("json");
      const appointment = await createAppointment(db, c.get("user").id, input);
      if (!appointment) throw await writeDenied(db, input.clientId, c.get("user").id);
      return c.json(appointment, 201);
    })
    .openapi(get, async (c) => {
      const appointment = await findAppointment(c.get("deps").db, c.req.valid("param").id, c.get("user").id);
      if (!appointment) throw AppError.notFound("Appointment not found.");
      return c.json(appointment, 200);
    })
    .openapi(update, async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      const appointment = await updateAppointment(db, id, c.get("user").id, c.req.valid("json"));
      if (!appointment) throw await denied(db, id, c.get("user").id);
      return c.json(appointment, 200);
    })
    .openapi(remove, async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      if (!(await deleteAppointment(db, id, c.get("user").id))) throw await denied(db, id, c.get("user").id);
      return c.body(null, 204);
    });
}
