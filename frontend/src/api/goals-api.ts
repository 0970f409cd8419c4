import type { InferRequestType, InferResponseType } from "hono/client";
import { api } from "./client.ts";
import { unwrap } from "./unwrap.ts";

const clientGoals = api.api.v1.clients[":id"].goals;
const goal = api.api.v1.goals[":id"];

export type Goal = InferResponseType<(typeof clientGoals)["$post"], 201>;
export type GoalStatus = Goal["status"];
export type GoalInput = InferRequestType<(typeof clientGoals)["$post"]>["json"];
export type GoalChanges = InferRequestType<(typeof goal)["$patch"]>["json"];
export type CheckIn = InferResponseType<(typeof goal)["check-ins"]["$post"], 201>;
export type CheckInInput = InferRequestType<(typeof goal)["check-ins"]["$post"]>["json"];

export function listGoals(clientId: string) {
  return unwrap(clientGoals.$get({ param: { id: clientId }, query: { limit: "100" } }));
}

export function createGoal(clientId: string, input: GoalInput) {
  return unwrap(clientGoals.$post({ param: { id: clientId }, json: input }));
}

export function updateGoal(id: string, changes: GoalChanges) {
  return unwrap(goal.$patch({ param: { id }, json: changes }));
}

export function listCheckIns(goalId: string) {
  return unwrap(goal["check-ins"].$get({ param: { id: goalId }, query: { limit: "100" } }));
}

export function createCheckIn(goalId: string, input: CheckInInput) {
  return unwrap(goal["check-ins"].$post({ param: { id: goalId }, json: input }));
}
