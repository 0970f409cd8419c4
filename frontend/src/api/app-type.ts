import type { AppType } from "@coaching-app/backend";

/** The typed shape of the API that `hc` builds its client from (the backend's chained `/api/v1` routes). */
export type ApiType = AppType;
