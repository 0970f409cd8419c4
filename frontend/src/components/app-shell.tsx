import { useMutation, useQueryClient } from "@tanstack/react-query";
import { NavLink, Outlet, useNavigate } from "react-router";
import { signOut } from "../api/auth-api.ts";
import { useMe } from "../auth/use-me.ts";
import { Brand } from "./brand.tsx";

/** Header with navigation and the signed-in user; pages render in <main>. */
export function AppShell() {
  const me = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOutMutation = useMutation({
    mutationFn: signOut,
    onSuccess: () => {
      // Nothing cached for this user may leak into the next session on this device.
      queryClient.clear();
      navigate("/sign-in", { replace: true });
    },
  });
  const user = me.data;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="shell-header">
        <div className="shell-header-inner">
          <Brand />
          <nav className="shell-nav" aria-label="Main">
            <NavLink to="/" end>
              Dashboard
            </NavLink>
            <NavLink to="/clients">Clients</NavLink>
            <NavLink to="/my">My coaching</NavLink>
            {user?.role === "admin" && <NavLink to="/admin/users">Users</NavLink>}
          </nav>
          <div className="shell-user">
            <span className="shell-user-name" data-testid="user-name" title={user?.email}>
              {user?.name}
            </span>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => signOutMutation.mutate()}
              disabled={signOutMutation.isPending}
            >
              {signOutMutation.isPending ? "Signing out…" : "Sign out"}
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="shell-main" tabIndex={-1}>
        {signOutMutation.isError && (
          <div className="alert alert-error" role="alert">
            Could not sign out. Please try again.
          </div>
        )}
        <Outlet />
      </main>
    </>
  );
}
