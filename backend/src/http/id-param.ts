import { z } from "@hono/zod-openapi";

/** `{id}` in a route path: the uuid of the resource the route acts on. */
export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });
