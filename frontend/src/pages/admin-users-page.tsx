import { useInfiniteQuery } from "@tanstack/react-query";
import { listUsers } from "../api/admin-api.ts";
import { adminKeys } from "../api/admin-keys.ts";
import { EmptyState, ErrorState, LoadingState } from "../components/states.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { formatDate } from "../format.ts";

export function AdminUsersPage() {
  const users = useInfiniteQuery({
    queryKey: adminKeys.users(),
    queryFn: ({ pageParam }) => listUsers(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = users.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <div className="page-header">
        <h1>Users</h1>
      </div>
      <div className="card">
        {users.isPending ? (
          <LoadingState label="Loading users…" />
        ) : users.isError ? (
          <ErrorState error={users.error} onRetry={() => void users.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState title="No users yet" />
        ) : (
          <>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                </tr>
              </thead>
              <tbody>
                {items.map((u) => (
                  <tr key={u.id}>
                    <td data-label="Name">{u.name}</td>
                    <td data-label="Email">{u.email}</td>
                    <td data-label="Role">
                      <StatusBadge value={u.role} />
                    </td>
                    <td data-label="Joined">{formatDate(u.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {users.hasNextPage && (
              <div className="row load-more">
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => void users.fetchNextPage()}
                  disabled={users.isFetchingNextPage}
                >
                  {users.isFetchingNextPage ? "Loading…" : "Load more"}
                </button>
              </div>
            )}
            {users.isFetchNextPageError && <p className="field-error">Could not load more users. Try again.</p>}
          </>
        )}
      </div>
    </>
  );
}
