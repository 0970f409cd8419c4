import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useSearchParams } from "react-router";
import { authKeys } from "../api/auth-keys.ts";
import { safeNext } from "../pages/auth-layout.tsx";
import { useMe } from "./use-me.ts";

/**
 * Sign-in and sign-up share this: the signed-in user, the safe `?next=` target, and a mutation that
 * refreshes the user and goes to that target once it succeeds.
 */
export function useAuthAction<Input>(action: (input: Input) => Promise<unknown>) {
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: action,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: authKeys.me() });
      navigate(next, { replace: true });
    },
  });
  return { next, me, mutation };
}
