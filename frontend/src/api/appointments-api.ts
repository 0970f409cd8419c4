import type { InferRequestType, InferResponseType } from "hono/client";
import { api } from "./client.ts";
import { unwrap } from "./unwrap.ts";

const appointments = api.api.v1.appointments;
const appointment = appointments[":id"];

export type Appointment = InferResponseType<(typeof appointment)["$get"], 200>;
export type AppointmentStatus = Appointment["status"];
export type AppointmentQuery = InferRequestType<(typeof appointments)["$get"]>["query"];
export type AppointmentInput = InferRequestType<(typeof appointments)["$post"]>["json"];
export type AppointmentChanges = InferRequestType<(typeof appointment)["$patch"]>["json"];

export function listAppointments(query: AppointmentQuery) {
  return unwrap(appointments.$get({ query }));
}

export function createAppointment(input: AppointmentInput) {
  return unwrap(appointments.$post({ json: input }));
}

export function updateAppointment(id: string, changes: AppointmentChanges) {
  return unwrap(appointment.$patch({ param: { id }, json: changes }));
}

export function deleteAppointment(id: string) {
  return unwrap(appointment.$delete({ param: { id } }));
}
