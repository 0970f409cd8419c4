import type { ReactNode } from "react";
import { Brand } from "../components/brand.tsx";

export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <Brand className="auth-brand" />
        <div className="card">
          <h1>{title}</h1>
          {children}
        </div>
      </div>
    </main>
  );
}

/** Only same-app paths: an attacker-made `?next=https://evil.example` must not redirect off-site. */
export function safeNext(value: string | null): string {
  return value?.startsWith("/") && !value.startsWith("//") ? value : "/";
}
