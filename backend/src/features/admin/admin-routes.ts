import { z } from "@hono/zod-openapi";
import { apiRoute } from "../../http/api-route.ts";
import { errorResponse } from "../../http/error-schema.ts";
import { pageQuery, pageSchema } from "../../http/pagination.ts";
import { requireAdmin } from "../../http/require-session.ts";
import { createRouter } from "../../http/router.ts";
import { listUsers } from "./admin-queries.ts";

export const AdminUserSchema = z
  .object({
    id: z.string(),
    email: z.email(),
    name: z.string(),
    role: z.enum(["user", "admin"]),
    createdAt: z.iso.datetime(),
  })
  .openapi("AdminUser");

const AdminUserPageSchema = pageSchema(AdminUserSchema).openapi("AdminUserPage");

const listUsersRoute = apiRoute({
  method: "get",
  path: "/api/v1/admin/users",
  operationId: "ListUsers",
  summary: "List every user (administrators only)",
  tags: ["Admin"],
  request: { query: pageQuery },
  responses: {
    200: { description: "A page of users", content: { "application/json": { schema: AdminUserPageSchema } } },
    403: errorResponse("The caller is not an administrator (`forbidden`)"),
  },
});

export function adminRoutes() {
  const app = createRouter();
  app.use("/api/v1/admin/*", requireAdmin);
  return app.openapi(listUsersRoute, async (c) => {
    const query = c.req.valid("query");
    const page = await listUsers(c.get("deps").db, query);
    return c.json(page, 200);
  });
}
