import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { appointmentKeys } from "../api/appointment-keys.ts";
import { listAppointments } from "../api/appointments-api.ts";
import { clientKeys } from "../api/client-keys.ts";
import { listClients } from "../api/clients-api.ts";
import { goalKeys } from "../api/goal-keys.ts";
import { listGoals } from "../api/goals-api.ts";
import { AppointmentList } from "../components/appointment-list.tsx";
import { EmptyState, ErrorState, LoadingState } from "../components/states.tsx";
import { GoalCard } from "./client/goal-card.tsx";

/**
 * The client user's side: the coaches whose rosters they joined (with links to what each shares),
 * their own upcoming sessions, and their goals with the check-in form.
 */
export function MyCoachingPage() {
  const coaches = useQuery({
    queryKey: clientKeys.list({ as: "client" }),
    queryFn: () => listClients({ as: "client", limit: "100" }),
  });
  const entries = coaches.data?.items ?? [];
  const from = new Date().toISOString();
  const appointments = useQuery({
    queryKey: appointmentKeys.upcomingFor(entries.map((e) => e.id)),
    enabled: entries.length > 0,
    queryFn: async () => {
      const pages = await Promise.all(entries.map((e) => listAppointments({ clientId: e.id, from, limit: "50" })));
      return pages.flatMap((p) => p.items).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    },
  });

  const goals = useQuery({
    queryKey: goalKeys.listFor(entries.map((e) => e.id)),
    enabled: entries.length > 0,
    queryFn: async () => {
      const pages = await Promise.all(
        entries.map(async (e) => (await listGoals(e.id)).items.map((goal) => ({ goal, coachName: e.coachName }))),
      );
      // Goals still being worked on come first; they are the ones with a check-in form.
      return pages.flat().sort((a, b) => Number(b.goal.status === "active") - Number(a.goal.status === "active"));
    },
  });
  const manyCoaches = entries.length > 1;

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
                    <nav className="row link-row" aria-label={`What ${e.coachName} shares with you`}>
                      <Link to={`/clients/${e.id}`}>Sessions</Link>
                      <Link to={`/clients/${e.id}?tab=notes`}>Shared notes</Link>
                      <Link to={`/clients/${e.id}?tab=goals`}>Goals</Link>
                      <Link to={`/clients/${e.id}?tab=files`}>Files</Link>
                    </nav>
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
      <section className="card section-gap" aria-labelledby="my-goals-heading">
        <h2 id="my-goals-heading">My goals</h2>
        {entries.length === 0 && !coaches.isPending ? (
          <EmptyState title="No goals yet">
            <p>Goals your coach sets with you show up here, and you can check in on them.</p>
          </EmptyState>
        ) : goals.isPending ? (
          <LoadingState label="Loading your goals…" />
        ) : goals.isError ? (
          <ErrorState error={goals.error} onRetry={() => void goals.refetch()} />
        ) : goals.data.length === 0 ? (
          <EmptyState title="No goals yet">
            <p>Goals your coach sets with you show up here, and you can check in on them.</p>
          </EmptyState>
        ) : (
          <div className="stack">
            {goals.data.map(({ goal, coachName }) => (
              <GoalCard
                key={goal.id}
                goal={goal}
                isCoach={false}
                heading={manyCoaches ? `With ${coachName}` : undefined}
              />
            ))}
          </div>
        )}
      </section>
    </>
  );
}
