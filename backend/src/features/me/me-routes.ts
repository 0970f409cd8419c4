import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses } from "../../http/error-schema.ts";
import { createRouter } from "../../http/router.ts";

export const MeSchema = z
  .object({
    id: z.string(),
    email: z.email(),
    name: z.string(),
    role: z.enum(["user", "admin"]),
  })
  .openapi("Me");

const getMe = createRoute({
  method: "get",
  path: "/api/v1/me",
  tags: ["Account"],
  summary: "The signed-in user",
  responses: {
    200: { description: "The signed-in user", content: { "application/json": { schema: MeSchema } } },
    401: errorResponses[401],
    429: errorResponses[429],
  },
});

export function meRoutes() {
  return createRouter().openapi(getMe, (c) => {
    const { id, email, name, role } = c.get("user");
    return c.json({ id, email, name, role }, 200);
  });
}
