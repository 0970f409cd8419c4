import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "./bindings.ts";
import { validationHook } from "./validation.ts";

/** A feature's router: OpenAPI-described routes whose validation errors use the contract's shape. */
export function createRouter() {
  return new OpenAPIHono<AppBindings>({ defaultHook: validationHook });
}
