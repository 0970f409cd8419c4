import { useQuery } from "@tanstack/react-query";
import { type KeyboardEvent, useRef } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { clientKeys } from "../../api/client-keys.ts";
import { getClient } from "../../api/clients-api.ts";
import { useMe } from "../../auth/use-me.ts";
import { ErrorState, LoadingState } from "../../components/states.tsx";
import { AppointmentsTab } from "./appointments-tab.tsx";
import { ClientHeader } from "./client-header.tsx";
import { FilesTab } from "./files-tab.tsx";
import { GoalsTab } from "./goals-tab.tsx";
import { NotesTab } from "./notes-tab.tsx";

const TABS = [
  { id: "appointments", label: "Appointments" },
  { id: "notes", label: "Notes" },
  { id: "goals", label: "Goals" },
  { id: "files", label: "Files" },
] as const;
type TabId = (typeof TABS)[number]["id"];

/** One roster entry. The coach manages it; the linked client user sees the same page read-mostly. */
export function ClientDetailPage() {
  const { id = "" } = useParams();
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const client = useQuery({ queryKey: clientKeys.detail(id), queryFn: () => getClient(id) });
  const requested = params.get("tab");
  const tab: TabId = TABS.some((t) => t.id === requested) ? (requested as TabId) : "appointments";

  if (client.isPending) return <LoadingState label="Loading client…" />;
  if (client.isError) {
    return (
      <div className="card">
        <ErrorState error={client.error} onRetry={() => void client.refetch()} />
        <p className="state">
          <Link to="/clients">Back to clients</Link>
        </p>
      </div>
    );
  }
  const isCoach = client.data.coachId === me.data?.id;
  const select = (next: TabId) => setParams(next === "appointments" ? {} : { tab: next }, { replace: true });
  // Arrow keys move between tabs, as the WAI-ARIA tabs pattern expects.
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const delta = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!delta) return;
    const next = (index + delta + TABS.length) % TABS.length;
    const target = TABS[next];
    if (!target) return;
    select(target.id);
    tabRefs.current[next]?.focus();
  };

  return (
    <>
      <ClientHeader client={client.data} isCoach={isCoach} />
      <div className="card">
        <div className="tabs" role="tablist" aria-label="Client sections">
          {TABS.map((t, index) => (
            <button
              key={t.id}
              ref={(el) => {
                tabRefs.current[index] = el;
              }}
              type="button"
              role="tab"
              id={`tab-${t.id}`}
              className="tab"
              aria-selected={tab === t.id}
              aria-controls={`panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => select(t.id)}
              onKeyDown={(e) => onKeyDown(e, index)}
            >
              {t.label}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
          {tab === "appointments" && <AppointmentsTab clientId={id} isCoach={isCoach} />}
          {tab === "notes" && <NotesTab clientId={id} isCoach={isCoach} />}
          {tab === "goals" && <GoalsTab clientId={id} isCoach={isCoach} />}
          {tab === "files" && <FilesTab clientId={id} isCoach={isCoach} />}
        </div>
      </div>
    </>
  );
}
