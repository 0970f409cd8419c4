import { type FormEvent, useState } from "react";
import { FormAlert } from "./form-alert.tsx";
import { TextField } from "./text-field.tsx";

interface ClientFormProps {
  initial?: { name: string; email: string | null };
  submitLabel: string;
  busy: boolean;
  error: unknown;
  onSubmit: (value: { name: string; email: string | null }) => void;
  onCancel?: () => void;
}

export function ClientForm({ initial, submitLabel, busy, error, onSubmit, onCancel }: ClientFormProps) {
  const [name, setName] = useState(initial?.name ?? "");
  const [email, setEmail] = useState(initial?.email ?? "");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({ name: name.trim(), email: email.trim() === "" ? null : email.trim() });
  };
  return (
    <form onSubmit={submit} noValidate aria-label={submitLabel}>
      <FormAlert error={error} knownFields={["name", "email"]} />
      <div className="form-row">
        <TextField
          label="Name"
          name="name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={error}
        />
        <TextField
          label="Email (optional)"
          name="email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={error}
        />
      </div>
      <div className="row">
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button button-secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
