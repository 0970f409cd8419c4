import type { InferRequestType, InferResponseType } from "hono/client";
import { toApiError } from "./api-error.ts";
import { api } from "./client.ts";

const clientGoals = api.api.v1.clients[":id"].goals;
const goal = api.api.v1.goals[":id"];

export type Goal = InferResponseType<(typeof clientGoals)["$post"], 201>;
export type GoalStatus = Goal["status"];
export type GoalInput = InferRequestType<(typeof clientGoals)["$post"]>["json"];
export type GoalChanges = InferRequestType<(typeof goal)["$patch"]>["json"];
export type CheckIn = InferResponseType<(typeof goal)["check-ins"]["$post"], 201>;
export type CheckInInput = InferRequestType<(typeof goal)["check-ins"]["$post"]>["json"];

export async function listGoals(clientId: string) {
  const response = await clientGoals.$get({ param: { id: clientId }, query: { limit: "100" } });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function createGoal(clientId: string, input: GoalInput) {
  const response = await clientGoals.$post({ param: { id: clientId }, json: input });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function updateGoal(id: string, changes: GoalChanges) {
  const response = await goal.$patch({ param: { id }, json: changes });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function listCheckIns(goalId: string) {
  const response = await goal["check-ins"].$get({ param: { id: goalId }, query: { limit: "100" } });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}

export async function createCheckIn(goalId: string, input: CheckInInput) {
  const response = await goal["check-ins"].$post({ param: { id: goalId }, json: input });
  if (!response.ok) throw await toApiError(response);
  return response.json();
}
