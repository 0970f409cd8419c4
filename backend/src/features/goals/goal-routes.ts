import { createRoute } from "@hono/zod-openapi";
import { AppError } from "../../http/app-error.ts";
import { errorResponses } from "../../http/error-schema.ts";
import { json, jsonBody } from "../../http/openapi-helpers.ts";
import { pageQuery } from "../../http/pagination.ts";
import { createRouter } from "../../http/router.ts";
import { IdParam } from "../clients/client-schemas.ts";
import { visiblePage, writtenOrDenied } from "../roster/roster-access.ts";
import { createCheckIn, listCheckIns } from "./check-in-queries.ts";
import { createGoal, goalRole, listGoals, updateGoal } from "./goal-queries.ts";
import {
  CheckInPageSchema,
  CheckInSchema,
  CreateCheckInSchema,
  CreateGoalSchema,
  GoalPageSchema,
  GoalSchema,
  ListGoalsQuery,
  UpdateGoalSchema,
} from "./goal-schemas.ts";

const tags = ["Goals"];
const { 400: invalid, 401: unauthenticated, 404: notFound } = errorResponses;

const list = createRoute({
  method: "get",
  path: "/api/v1/clients/{id}/goals",
  tags,
  request: { params: IdParam, query: ListGoalsQuery },
  responses: { 200: json(GoalPageSchema, "Newest first"), 401: unauthenticated, 404: notFound },
});

const create = createRoute({
  method: "post",
  path: "/api/v1/clients/{id}/goals",
  tags,
  request: { params: IdParam, body: jsonBody(CreateGoalSchema) },
  responses: { 201: json(GoalSchema, "The new goal"), 400: invalid, 404: notFound },
});

const update = createRoute({
  method: "patch",
  path: "/api/v1/goals/{id}",
  tags,
  request: { params: IdParam, body: jsonBody(UpdateGoalSchema) },
  responses: { 200: json(GoalSchema, "Updated"), 400: invalid, 404: notFound },
});

const listCheckInsRoute = createRoute({
  method: "get",
  path: "/api/v1/goals/{id}/check-ins",
  tags,
  request: { params: IdParam, query: pageQuery },
  responses: { 200: json(CheckInPageSchema, "Newest first"), 401: unauthenticated, 404: notFound },
});

const createCheckInRoute = createRoute({
  method: "post",
  path: "/api/v1/goals/{id}/check-ins",
  tags,
  request: { params: IdParam, body: jsonBody(CreateCheckInSchema) },
  responses: { 201: json(CheckInSchema, "Recorded"), 400: invalid, 404: notFound },
});

/** Goals (the coach sets them) and check-ins (coach or client user record progress). */
export function goalRoutes() {
  return createRouter()
    .openapi(list, async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      const page = await listGoals(db, id, c.get("user").id, c.req.valid("query"));
      return c.json(await visiblePage(db, id, c.get("user").id, page), 200);
    })
    .openapi(create, async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      const goal = await createGoal(db, id, c.get("user").id, c.req.valid("json"));
      return c.json(await writtenOrDenied(db, id, c.get("user").id, goal), 201);
    })
    .openapi(update, async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      const goal = await updateGoal(db, id, c.get("user").id, c.req.valid("json"));
      if (!goal) {
        // goalRole throws 404 when the goal is not visible; visible but not coached → 403.
        await goalRole(db, id, c.get("user").id);
        throw AppError.forbidden("Only the coach can change this goal.");
      }
      return c.json(goal, 200);
    })
    .openapi(listCheckInsRoute, async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      const page = await listCheckIns(db, id, c.get("user").id, c.req.valid("query"));
      if (page.items.length === 0) await goalRole(db, id, c.get("user").id);
      return c.json(page, 200);
    })
    .openapi(createCheckInRoute, async (c) => {
      const checkIn = await createCheckIn(
        c.get("deps").db,
        c.req.valid("param").id,
        c.get("user").id,
        c.req.valid("json"),
      );
      if (!checkIn) throw AppError.notFound("Goal not found.");
      return c.json(checkIn, 201);
    });
}
