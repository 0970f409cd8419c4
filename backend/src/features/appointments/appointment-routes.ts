import type { Db } from "../../db/database.ts";
import { apiRoute } from "../../http/api-route.ts";
import { AppError } from "../../http/app-error.ts";
import { errorResponse } from "../../http/error-schema.ts";
import { IdParam } from "../../http/id-param.ts";
import { json, jsonBody } from "../../http/openapi-helpers.ts";
import { createRouter } from "../../http/router.ts";
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
const conflict = errorResponse("Overlaps another scheduled appointment of the coach (`appointment_conflict`)");
const coachOnly = errorResponse("The caller is the client user: only the coach can do this (`forbidden`)");
const notFound = errorResponse("No such appointment, or not on a roster entry of the caller (`not_found`)");

const list = apiRoute({
  method: "get",
  path: "/api/v1/appointments",
  operationId: "ListAppointments",
  summary: "List my appointments, as coach and as client user",
  tags,
  request: { query: ListAppointmentsQuery },
  responses: { 200: json(AppointmentPageSchema, "Appointments by start time") },
});

const create = apiRoute({
  method: "post",
  path: "/api/v1/appointments",
  operationId: "CreateAppointment",
  summary: "Book an appointment with a client",
  tags,
  request: { body: jsonBody(CreateAppointmentSchema) },
  responses: {
    201: json(AppointmentSchema, "Booked"),
    403: coachOnly,
    404: errorResponse("No such roster entry, or not the caller's (`not_found`)"),
    409: conflict,
  },
});

const get = apiRoute({
  method: "get",
  path: "/api/v1/appointments/{id}",
  operationId: "GetAppointment",
  summary: "Get an appointment",
  tags,
  request: { params: IdParam },
  responses: { 200: json(AppointmentSchema, "The appointment"), 404: notFound },
});

const update = apiRoute({
  method: "patch",
  path: "/api/v1/appointments/{id}",
  operationId: "UpdateAppointment",
  summary: "Move, relocate or change the status of an appointment",
  tags,
  request: { params: IdParam, body: jsonBody(UpdateAppointmentSchema) },
  responses: { 200: json(AppointmentSchema, "Updated"), 403: coachOnly, 404: notFound, 409: conflict },
});

const remove = apiRoute({
  method: "delete",
  path: "/api/v1/appointments/{id}",
  operationId: "DeleteAppointment",
  summary: "Delete an appointment",
  tags,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, 403: coachOnly, 404: notFound },
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
