import { z } from "@hono/zod-openapi";
import { pageQuery, pageSchema } from "../../http/pagination.ts";

export const goalStatus = z.enum(["active", "achieved", "dropped"]);

/** A calendar date, YYYY-MM-DD, between 2000 and 2099. */
const calendarDate = z.iso
  .date()
  .refine((value) => value >= "2000-01-01" && value < "2100-01-01", "Must be between the years 2000 and 2100.")
  .openapi({ example: "2027-03-31" });

export const GoalSchema = z
  .object({
    id: z.uuid(),
    clientId: z.uuid(),
    title: z.string(),
    targetDate: z.string().nullable(),
    status: goalStatus,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Goal");

export const GoalPageSchema = pageSchema(GoalSchema).openapi("GoalPage");

const title = z.string().trim().min(1).max(200);

export const CreateGoalSchema = z
  .object({ title, targetDate: calendarDate.nullable().optional(), status: goalStatus.optional() })
  .openapi("CreateGoal");

export const UpdateGoalSchema = z
  .object({ title: title.optional(), targetDate: calendarDate.nullable().optional(), status: goalStatus.optional() })
  .refine((b) => Object.keys(b).length > 0, { message: "Send at least one field to change." })
  .openapi("UpdateGoal");

export const ListGoalsQuery = pageQuery.extend({ status: goalStatus.optional() });

export const CheckInSchema = z
  .object({
    id: z.uuid(),
    goalId: z.uuid(),
    progress: z.number().int(),
    comment: z.string().nullable(),
    authorId: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("CheckIn");

export const CheckInPageSchema = pageSchema(CheckInSchema).openapi("CheckInPage");

export const CreateCheckInSchema = z
  .object({ progress: z.number().int().min(0).max(100), comment: z.string().trim().max(2000).nullable().optional() })
  .openapi("CreateCheckIn");
