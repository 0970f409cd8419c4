import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { Link, useNavigate } from "react-router";
import { type ClientListFilters, clientKeys } from "../api/client-keys.ts";
import { type ClientStatus, createClient, listClients } from "../api/clients-api.ts";
import { ClientForm } from "../components/client-form.tsx";
import { EmptyState, ErrorState, LoadingState } from "../components/states.tsx";
import { StatusBadge } from "../components/status-badge.tsx";

/** Waits until typing pauses so every keystroke is not a request. */
function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export function ClientsPage() {
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<ClientStatus | "">("active");
  const [creating, setCreating] = useState(false);
  const q = useDebounced(search.trim(), 250);
  const searchId = useId();
  const statusId = useId();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const filters: ClientListFilters = { ...(q ? { q } : {}), ...(status ? { status } : {}) };
  const clients = useInfiniteQuery({
    queryKey: clientKeys.list(filters),
    queryFn: ({ pageParam }) => listClients({ limit: "20", ...filters, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const create = useMutation({
    mutationFn: createClient,
    onSuccess: (client) => {
      void queryClient.invalidateQueries({ queryKey: clientKeys.all });
      navigate(`/clients/${client.id}`);
    },
  });
  const items = clients.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <div className="page-header">
        <h1>Clients</h1>
        {!creating && (
          <button type="button" className="button" onClick={() => setCreating(true)}>
            New client
          </button>
        )}
      </div>
      {creating && (
        <section className="card section-bottom" aria-labelledby="new-client-heading">
          <h2 id="new-client-heading">New client</h2>
          <ClientForm
            submitLabel="Create client"
            busy={create.isPending}
            error={create.error}
            onSubmit={(value) => create.mutate(value)}
            onCancel={() => {
              setCreating(false);
              create.reset();
            }}
          />
        </section>
      )}
      <div className="card">
        <search className="toolbar">
          <div className="field">
            <label htmlFor={searchId}>Search</label>
            <input
              id={searchId}
              type="search"
              placeholder="Name or email"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </div>
          <div className="field field-narrow">
            <label htmlFor={statusId}>Status</label>
            <select id={statusId} value={status} onChange={(e) => setStatus(e.target.value as ClientStatus | "")}>
              <option value="active">Active</option>
              <option value="archived">Archived</option>
              <option value="">All</option>
            </select>
          </div>
        </search>
        {clients.isPending ? (
          <LoadingState label="Loading clients…" />
        ) : clients.isError ? (
          <ErrorState error={clients.error} onRetry={() => void clients.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState title={q ? `No clients match “${q}”` : "No clients yet"}>
            {!q && <p>Add your first client to schedule sessions, keep notes and track goals.</p>}
          </EmptyState>
        ) : (
          <>
            <ul className="list" aria-label="Clients">
              {items.map((c) => (
                <li key={c.id} className="list-item">
                  <div className="list-item-main">
                    <Link className="list-item-title" to={`/clients/${c.id}`}>
                      {c.name}
                    </Link>
                    <div className="muted">{c.email ?? "No email"}</div>
                  </div>
                  {c.linkedUserId && <span className="badge badge-green">Joined</span>}
                  <StatusBadge value={c.status} />
                </li>
              ))}
            </ul>
            {clients.hasNextPage && (
              <div className="row load-more">
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => void clients.fetchNextPage()}
                  disabled={clients.isFetchingNextPage}
                >
                  {clients.isFetchingNextPage ? "Loading…" : "Load more"}
                </button>
              </div>
            )}
          </>
        )}
      </div>
    </>
  );
}
