import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, forbiddenResponse } from "../../http/error-schema.ts";
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

const listUsersRoute = createRoute({
  method: "get",
  path: "/api/v1/admin/users",
  tags: ["Admin"],
  request: { query: pageQuery },
  responses: {
    200: { description: "A page of users", content: { "application/json": { schema: AdminUserPageSchema } } },
    ...forbiddenResponse,
    400: errorResponses[400],
    401: errorResponses[401],
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
