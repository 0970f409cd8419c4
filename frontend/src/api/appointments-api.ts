import type { InferRequestType, InferResponseType } from "hono/client";
import { toApiError } from "./api-error.ts";
import { api } from "./client.ts";

const appointments = api.api.v1.appointments;
const appointment = appointments[":id"];

export type Appointment = InferResponseType<(typeof appointment)["$get"], 200>;
export type AppointmentStatus = Appointment["status"];
export type AppointmentQuery = InferRequestType<(typeof appointments)["$get"]>["query"];
export type AppointmentInput = InferRequestType<(typeof appointments)["$post"]>["json"];
export type AppointmentChanges = InferRequestType<(typeof appointment)["$patch"]>["json"];

export async function listAppointments(query: AppointmentQuery) {
  const response = await appointments.$get({ query });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function createAppointment(input: AppointmentInput) {
  const response = await appointments.$post({ json: input });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function updateAppointment(id: string, changes: AppointmentChanges) {
  const response = await appointment.$patch({ param: { id }, json: changes });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function deleteAppointment(id: string): Promise<void> {
  const response = await appointment.$delete({ param: { id } });
  if (!response.ok) throw await toApiError(response);
}
