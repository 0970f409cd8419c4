/** Query keys for notes: `list(clientId)` is one roster entry's notes. */
export const noteKeys = {
  all: ["notes"] as const,
  lists: () => [...noteKeys.all, "list"] as const,
  list: (clientId: string) => [...noteKeys.lists(), clientId] as const,
};
