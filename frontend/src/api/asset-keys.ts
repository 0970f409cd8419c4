/** Query keys for files: `list(clientId)` is one roster entry's files. */
export const assetKeys = {
  all: ["assets"] as const,
  lists: () => [...assetKeys.all, "list"] as const,
  list: (clientId: string) => [...assetKeys.lists(), clientId] as const,
};
