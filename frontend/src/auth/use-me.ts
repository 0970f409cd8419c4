import { useQuery } from "@tanstack/react-query";
import { fetchMe } from "../api/auth-api.ts";
import { authKeys } from "../api/auth-keys.ts";

/** The signed-in user (null when signed out), shared by every screen through the query cache. */
export function useMe() {
  return useQuery({ queryKey: authKeys.me(), queryFn: fetchMe, staleTime: 60_000 });
}
