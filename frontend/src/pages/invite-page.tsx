import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError, errorMessage } from "../api/api-error.ts";
import { clientKeys } from "../api/client-keys.ts";
import { acceptInvite } from "../api/clients-api.ts";
import { useMe } from "../auth/use-me.ts";
import { ErrorState, LoadingState } from "../components/states.tsx";
import { AuthLayout } from "./auth-layout.tsx";

function inviteProblem(error: unknown): string {
  if (error instanceof ApiError && error.status === 410)
    return "This invite has expired. Ask your coach for a new link.";
  if (error instanceof ApiError && error.status === 404)
    return "This invite link is not valid. Check that you copied all of it.";
  return errorMessage(error);
}

/** `/invite/:token`: a signed-in user accepts; a visitor signs in or up first and comes back here. */
export function InvitePage() {
  const { token = "" } = useParams();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const accept = useMutation({
    mutationFn: () => acceptInvite(token),
    onSuccess: (client) => {
      void queryClient.invalidateQueries({ queryKey: clientKeys.all });
      navigate(`/clients/${client.id}`, { replace: true });
    },
  });
  const back = encodeURIComponent(`/invite/${token}`);

  if (me.isPending) return <LoadingState />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  return (
    <AuthLayout title="You're invited">
      <p>Your coach invited you to follow your sessions, goals and shared notes here.</p>
      {accept.isError && (
        <div className="alert alert-error" role="alert">
          {inviteProblem(accept.error)}
        </div>
      )}
      {me.data ? (
        <>
          <p className="muted">Signed in as {me.data.email}.</p>
          <button
            type="button"
            className="button button-block"
            onClick={() => accept.mutate()}
            disabled={accept.isPending}
          >
            {accept.isPending ? "Accepting…" : "Accept invitation"}
          </button>
        </>
      ) : (
        <div className="stack">
          <Link className="button button-block" to={`/sign-up?next=${back}`}>
            Create an account
          </Link>
          <Link className="button button-secondary button-block" to={`/sign-in?next=${back}`}>
            I already have an account
          </Link>
        </div>
      )}
    </AuthLayout>
  );
}
