/**
 * Query keys for goals and their check-ins. Every goal list sits under `lists()`: a goal card does
 * not know whether it shows in a client's tab or in the client user's own view, so a change to a
 * goal invalidates all of them.
 */
export const goalKeys = {
  all: ["goals"] as const,
  lists: () => [...goalKeys.all, "list"] as const,
  list: (clientId: string) => [...goalKeys.lists(), clientId] as const,
  /** The goals of several roster entries at once (a client user with many coaches). */
  listFor: (clientIds: string[]) => [...goalKeys.lists(), { clientIds }] as const,
  checkIns: (goalId: string) => [...goalKeys.all, "check-ins", goalId] as const,
};
