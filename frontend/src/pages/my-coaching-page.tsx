import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { listAppointments } from "../api/appointments-api.ts";
import { listClients } from "../api/clients-api.ts";
import { AppointmentList } from "../components/appointment-list.tsx";
import { EmptyState, ErrorState, LoadingState } from "../components/states.tsx";

/** The client user's side: the coaches whose rosters they joined, and their own upcoming sessions. */
export function MyCoachingPage() {
  const coaches = useQuery({
    queryKey: ["clients", "as-client"],
    queryFn: () => listClients({ as: "client", limit: "100" }),
  });
  const entries = coaches.data?.items ?? [];
  const from = new Date().toISOString();
  const appointments = useQuery({
    queryKey: ["appointments", "mine", entries.map((e) => e.id)],
    enabled: entries.length > 0,
    queryFn: async () => {
      const pages = await Promise.all(entries.map((e) => listAppointments({ clientId: e.id, from, limit: "50" })));
      return pages.flatMap((p) => p.items).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    },
  });

  return (
    <>
      <div className="page-header">
        <h1>My coaching</h1>
      </div>
      <div className="grid-2">
        <section className="card" aria-labelledby="coaches-heading">
          <h2 id="coaches-heading">My coaches</h2>
          {coaches.isPending ? (
            <LoadingState />
          ) : coaches.isError ? (
            <ErrorState error={coaches.error} onRetry={() => void coaches.refetch()} />
          ) : entries.length === 0 ? (
            <EmptyState title="No coach yet">
              <p>When a coach sends you an invite link, open it to join.</p>
            </EmptyState>
          ) : (
            <ul className="list">
              {entries.map((e) => (
                <li key={e.id} className="list-item">
                  <div className="list-item-main">
                    <Link className="list-item-title" to={`/clients/${e.id}`}>
                      {e.coachName}
                    </Link>
                    <div className="muted">Goals, shared notes and files</div>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby="my-appointments-heading">
          <h2 id="my-appointments-heading">My upcoming sessions</h2>
          {entries.length === 0 && !coaches.isPending ? (
            <EmptyState title="No sessions scheduled" />
          ) : appointments.isPending ? (
            <LoadingState />
          ) : appointments.isError ? (
            <ErrorState error={appointments.error} onRetry={() => void appointments.refetch()} />
          ) : appointments.data.length === 0 ? (
            <EmptyState title="No sessions scheduled" />
          ) : (
            <AppointmentList items={appointments.data} showClient={false} />
          )}
        </section>
      </div>
    </>
  );
}
