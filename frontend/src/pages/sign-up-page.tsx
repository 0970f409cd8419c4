import { type FormEvent, useState } from "react";
import { Link, Navigate } from "react-router";
import { signUp } from "../api/auth-api.ts";
import { useAuthAction } from "../auth/use-auth-action.ts";
import { FormAlert } from "../components/form-alert.tsx";
import { LoadingState } from "../components/states.tsx";
import { TextField } from "../components/text-field.tsx";
import { AuthLayout } from "./auth-layout.tsx";

export function SignUpPage() {
  const { next, me, mutation } = useAuthAction(signUp);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  if (me.isPending) return <LoadingState />;
  if (me.data && !mutation.isPending) return <Navigate to={next} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({ name, email, password });
  };
  return (
    <AuthLayout title="Create your account">
      <form onSubmit={submit} noValidate>
        <FormAlert error={mutation.error} knownFields={["name", "email", "password"]} />
        <TextField
          label="Your name"
          name="name"
          autoComplete="name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={mutation.error}
        />
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
          autoComplete="new-password"
          required
          minLength={12}
          maxLength={128}
          hint="At least 10 characters."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={mutation.error}
        />
        <button type="submit" className="button button-block" disabled={mutation.isPending}>
          {mutation.isPending ? "Creating account…" : "Create account"}
        </button>
      </form>
      <p className="muted auth-footer">
        Already have an account?{" "}
        <Link to={`/sign-in${next === "/" ? "" : `?next=${encodeURIComponent(next)}`}`}>Sign in</Link>
      </p>
    </AuthLayout>
  );
}
