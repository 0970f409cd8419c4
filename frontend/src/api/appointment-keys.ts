import type { AppointmentQuery } from "./appointments-api.ts";

/** What decides which appointments a list holds; paging belongs to the query, not its key. */
export type AppointmentListFilters = Pick<AppointmentQuery, "clientId" | "from" | "to">;

/**
 * Query keys for appointments. Every list sits under `lists()`, so one invalidation after a change
 * refreshes the dashboard, a client's tab and the client user's view alike.
 */
export const appointmentKeys = {
  all: ["appointments"] as const,
  lists: () => [...appointmentKeys.all, "list"] as const,
  list: (filters: AppointmentListFilters) => [...appointmentKeys.lists(), filters] as const,
  /** The upcoming sessions of several roster entries at once (a client user with many coaches). */
  upcomingFor: (clientIds: string[]) => [...appointmentKeys.lists(), { upcomingFor: clientIds }] as const,
};
