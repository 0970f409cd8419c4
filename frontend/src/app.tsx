import { BrowserRouter, Route, Routes } from "react-router";
import { RequireAuth } from "./auth/require-auth.tsx";
import { AppShell } from "./components/app-shell.tsx";
import { AdminUsersPage } from "./pages/admin-users-page.tsx";
import { ClientDetailPage } from "./pages/client/client-detail-page.tsx";
import { ClientsPage } from "./pages/clients-page.tsx";
import { DashboardPage } from "./pages/dashboard-page.tsx";
import { InvitePage } from "./pages/invite-page.tsx";
import { MyCoachingPage } from "./pages/my-coaching-page.tsx";
import { NotFoundPage } from "./pages/not-found-page.tsx";
import { SignInPage } from "./pages/sign-in-page.tsx";
import { SignUpPage } from "./pages/sign-up-page.tsx";

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="/sign-up" element={<SignUpPage />} />
        <Route path="/invite/:token" element={<InvitePage />} />
        <Route
          element={
            <RequireAuth>
              <AppShell />
            </RequireAuth>
          }
        >
          <Route index element={<DashboardPage />} />
          <Route path="clients" element={<ClientsPage />} />
          <Route path="clients/:id" element={<ClientDetailPage />} />
          <Route path="my" element={<MyCoachingPage />} />
          <Route
            path="admin/users"
            element={
              <RequireAuth admin>
                <AdminUsersPage />
              </RequireAuth>
            }
          />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
