// The demo accounts `pnpm db:seed` creates, printed by `pnpm dev` (scripts/dev.ts imports this file,
// so it stays plain constants that Node can load without a TypeScript loader).
export const DEMO_COACH = { email: "coach@example.com", password: "coach-demo-password", name: "Dana Coach" };
export const DEMO_CLIENT = { email: "client@example.com", password: "client-demo-password", name: "Maya Patel" };
