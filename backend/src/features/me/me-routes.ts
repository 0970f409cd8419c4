import { z } from "@hono/zod-openapi";
import { apiRoute } from "../../http/api-route.ts";
import { createRouter } from "../../http/router.ts";

export const MeSchema = z
  .object({
    id: z.string(),
    email: z.email(),
    name: z.string(),
    role: z.enum(["user", "admin"]),
  })
  .openapi("Me");

const getMe = apiRoute({
  method: "get",
  path: "/api/v1/me",
  operationId: "GetMe",
  summary: "Get the signed-in user",
  tags: ["Account"],
  responses: {
    200: { description: "The signed-in user", content: { "application/json": { schema: MeSchema } } },
  },
});

export function meRoutes() {
  return createRouter().openapi(getMe, (c) => {
    const { id, email, name, role } = c.get("user");
    return c.json({ id, email, name, role }, 200);
  });
}
