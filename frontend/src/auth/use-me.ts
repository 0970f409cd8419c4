import { useQuery } from "@tanstack/react-query";
import { fetchMe } from "../api/auth-api.ts";

export const ME_KEY = ["me"] as const;

/** The signed-in user (null when signed out), shared by every screen through the query cache. */
export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000 });
}
