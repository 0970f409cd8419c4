import { z } from "@hono/zod-openapi";
import { pageQuery, pageSchema } from "../../http/pagination.ts";

export const appointmentStatus = z.enum(["scheduled", "completed", "cancelled", "no_show"]);

/** An ISO-8601 instant with an offset, between 2000 and 2100 (keeps calendars and Postgres sane). */
export const instant = z.iso
  .datetime({ offset: true })
  .refine((value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 2000 && year < 2100;
  }, "Must be between the years 2000 and 2100.")
  .openapi({ example: "2026-12-01T09:30:00Z" });

export const AppointmentSchema = z
  .object({
    id: z.uuid(),
    clientId: z.uuid(),
    clientName: z.string(),
    startsAt: z.iso.datetime(),
    durationMinutes: z.number().int(),
    status: appointmentStatus,
    location: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Appointment");

export const AppointmentPageSchema = pageSchema(AppointmentSchema).openapi("AppointmentPage");

const durationMinutes = z.number().int().min(15).max(480);
const location = z.string().trim().max(500).nullable();

export const CreateAppointmentSchema = z
  .object({
    clientId: z.uuid(),
    startsAt: instant,
    durationMinutes,
    location: location.optional(),
    status: appointmentStatus.optional(),
  })
  .openapi("CreateAppointment");

export const UpdateAppointmentSchema = z
  .object({
    startsAt: instant.optional(),
    durationMinutes: durationMinutes.optional(),
    location: location.optional(),
    status: appointmentStatus.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: "Send at least one field to change." })
  .openapi("UpdateAppointment");

export const ListAppointmentsQuery = pageQuery.extend({
  from: instant.optional().openapi({ description: "Appointments starting at or after this instant" }),
  to: instant.optional().openapi({ description: "Appointments starting before this instant" }),
  clientId: z.uuid().optional(),
});
