import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { goalKeys } from "../../api/goal-keys.ts";
import { createGoal, type GoalInput, listGoals } from "../../api/goals-api.ts";
import { FormAlert } from "../../components/form-alert.tsx";
import { EmptyState, ErrorState, LoadingState } from "../../components/states.tsx";
import { TextField } from "../../components/text-field.tsx";
import { GoalCard } from "./goal-card.tsx";

export function GoalsTab({ clientId, isCoach }: { clientId: string; isCoach: boolean }) {
  const queryClient = useQueryClient();
  const [title, setTitle] = useState("");
  const [targetDate, setTargetDate] = useState("");
  const goals = useQuery({ queryKey: goalKeys.list(clientId), queryFn: () => listGoals(clientId) });
  const create = useMutation({
    mutationFn: (input: GoalInput) => createGoal(clientId, input),
    onSuccess: (_goal, input) => {
      // Only clear what was saved: the user may already be typing the next goal.
      setTitle((current) => (current === input.title ? "" : current));
      void queryClient.invalidateQueries({ queryKey: goalKeys.list(clientId) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ title, targetDate: targetDate || null });
  };
  const items = goals.data?.items ?? [];
  return (
    <>
      {isCoach && (
        <form onSubmit={submit} noValidate className="section-bottom" aria-label="Add a goal">
          <FormAlert error={create.error} knownFields={["title", "targetDate"]} />
          <div className="form-row">
            <TextField
              label="New goal"
              name="title"
              required
              maxLength={200}
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              error={create.error}
            />
            <TextField
              label="Target date (optional)"
              name="targetDate"
              type="date"
              value={targetDate}
              onChange={(e) => setTargetDate(e.target.value)}
              error={create.error}
            />
          </div>
          <button type="submit" className="button" disabled={create.isPending}>
            {create.isPending ? "Saving…" : "Add goal"}
          </button>
        </form>
      )}
      {goals.isPending ? (
        <LoadingState label="Loading goals…" />
      ) : goals.isError ? (
        <ErrorState error={goals.error} onRetry={() => void goals.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No goals yet" />
      ) : (
        <div className="stack">
          {items.map((g) => (
            <GoalCard key={g.id} goal={g} isCoach={isCoach} />
          ))}
        </div>
      )}
    </>
  );
}
