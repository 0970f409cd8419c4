import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { clientKeys } from "../../api/client-keys.ts";
import { type Client, createInvite, deleteClient, updateClient } from "../../api/clients-api.ts";
import { ClientForm } from "../../components/client-form.tsx";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { FormAlert } from "../../components/form-alert.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { formatDateTime } from "../../format.ts";

export function ClientHeader({ client, isCoach }: { client: Client; isCoach: boolean }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: clientKeys.all });

  const update = useMutation({
    mutationFn: (changes: Parameters<typeof updateClient>[1]) => updateClient(client.id, changes),
    onSuccess: (updated) => {
      queryClient.setQueryData(clientKeys.detail(client.id), updated);
      void refresh();
      setEditing(false);
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteClient(client.id),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: clientKeys.detail(client.id) });
      void refresh();
      navigate("/clients", { replace: true });
    },
  });
  const invite = useMutation({ mutationFn: () => createInvite(client.id) });
  const inviteUrl = invite.data ? `${window.location.origin}/invite/${invite.data.token}` : "";

  return (
    <section className="card section-bottom" aria-labelledby="client-name">
      <div className="page-header">
        <div>
          <h1 id="client-name">{client.name}</h1>
          <div className="muted">{isCoach ? (client.email ?? "No email") : `Coached by ${client.coachName}`}</div>
        </div>
        <div className="row">
          <StatusBadge value={client.status} />
          {client.linkedUserId && <span className="badge badge-green">Joined</span>}
        </div>
      </div>
      {isCoach && !editing && (
        <div className="row">
          <button type="button" className="button button-secondary" onClick={() => setEditing(true)}>
            Edit
          </button>
          <button
            type="button"
            className="button button-secondary"
            disabled={update.isPending}
            onClick={() => update.mutate({ status: client.status === "active" ? "archived" : "active" })}
          >
            {client.status === "active" ? "Archive" : "Restore"}
          </button>
          {!client.linkedUserId && (
            <button
              type="button"
              className="button button-secondary"
              onClick={() => invite.mutate()}
              disabled={invite.isPending}
            >
              {invite.isPending ? "Creating link…" : "Create invite link"}
            </button>
          )}
          <button type="button" className="button button-danger" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        </div>
      )}
      {isCoach && editing && (
        <ClientForm
          initial={client}
          submitLabel="Save changes"
          busy={update.isPending}
          error={update.error}
          onSubmit={(value) => update.mutate(value)}
          onCancel={() => {
            setEditing(false);
            update.reset();
          }}
        />
      )}
      {!editing && <FormAlert error={update.error ?? invite.error ?? remove.error} />}
      {invite.data && (
        <div className="alert alert-success section-gap" role="status">
          <p>
            Send this link to {client.name}. It works once and expires {formatDateTime(invite.data.expiresAt)}.
          </p>
          <div className="row">
            <output className="code-box" data-testid="invite-url">
              {inviteUrl}
            </output>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => void navigator.clipboard?.writeText(inviteUrl)}
            >
              Copy
            </button>
          </div>
        </div>
      )}
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete ${client.name}?`}
        message="This removes the client with all appointments, notes, goals and files. It cannot be undone."
        confirmLabel="Delete client"
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setConfirmDelete(false)}
      />
    </section>
  );
}
