import { type FormEvent, useState } from "react";
import { Link, Navigate } from "react-router";
import { signIn } from "../api/auth-api.ts";
import { useAuthAction } from "../auth/use-auth-action.ts";
import { FormAlert } from "../components/form-alert.tsx";
import { LoadingState } from "../components/states.tsx";
import { TextField } from "../components/text-field.tsx";
import { AuthLayout } from "./auth-layout.tsx";

export function SignInPage() {
  const { next, me, mutation } = useAuthAction(signIn);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  if (me.isPending) return <LoadingState />;
  if (me.data && !mutation.isPending) return <Navigate to={next} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({ email, password });
  };
  return (
    <AuthLayout title="Sign in">
      <form onSubmit={submit} noValidate>
        <FormAlert error={mutation.error} knownFields={["email", "password"]} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={mutation.error}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={mutation.error}
        />
        <button type="submit" className="button button-block" disabled={mutation.isPending}>
          {mutation.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p className="muted auth-footer">
        New here?{" "}
        <Link to={`/sign-up${next === "/" ? "" : `?next=${encodeURIComponent(next)}`}`}>Create an account</Link>
      </p>
    </AuthLayout>
  );
}
