import { apiRoute } from "../../http/api-route.ts";
import { AppError } from "../../http/app-error.ts";
import { errorResponse } from "../../http/error-schema.ts";
import { IdParam } from "../../http/id-param.ts";
import { json, jsonBody } from "../../http/openapi-helpers.ts";
import { pageQuery } from "../../http/pagination.ts";
import { createRouter } from "../../http/router.ts";
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
const clientNotFound = errorResponse(
  "No such roster entry, or the caller is neither its coach nor its client user (`not_found`)",
);
const goalNotFound = errorResponse("No such goal, or not on a roster entry of the caller (`not_found`)");
const coachOnly = errorResponse("The caller is the client user: only the coach can do this (`forbidden`)");

const list = apiRoute({
  method: "get",
  path: "/api/v1/clients/{id}/goals",
  operationId: "ListGoals",
  summary: "List the goals of a roster entry",
  tags,
  request: { params: IdParam, query: ListGoalsQuery },
  responses: { 200: json(GoalPageSchema, "Newest first"), 404: clientNotFound },
});

const create = apiRoute({
  method: "post",
  path: "/api/v1/clients/{id}/goals",
  operationId: "CreateGoal",
  summary: "Set a goal for a client",
  tags,
  request: { params: IdParam, body: jsonBody(CreateGoalSchema) },
  responses: { 201: json(GoalSchema, "The new goal"), 403: coachOnly, 404: clientNotFound },
});

const update = apiRoute({
  method: "patch",
  path: "/api/v1/goals/{id}",
  operationId: "UpdateGoal",
  summary: "Change a goal's title, target date or status",
  tags,
  request: { params: IdParam, body: jsonBody(UpdateGoalSchema) },
  responses: { 200: json(GoalSchema, "Updated"), 403: coachOnly, 404: goalNotFound },
});

const listCheckInsRoute = apiRoute({
  method: "get",
  path: "/api/v1/goals/{id}/check-ins",
  operationId: "ListCheckIns",
  summary: "List the check-ins of a goal",
  tags,
  request: { params: IdParam, query: pageQuery },
  responses: { 200: json(CheckInPageSchema, "Newest first"), 404: goalNotFound },
});

const createCheckInRoute = apiRoute({
  method: "post",
  path: "/api/v1/goals/{id}/check-ins",
  operationId: "CreateCheckIn",
  summary: "Record progress on a goal (coach or client user)",
  tags,
  request: { params: IdParam, body: jsonBody(CreateCheckInSchema) },
  responses: { 201: json(CheckInSchema, "Recorded"), 404: goalNotFound },
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
