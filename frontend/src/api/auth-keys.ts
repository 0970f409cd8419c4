/** Query keys for the signed-in user; `me()` is refreshed after sign-in and sign-up. */
export const authKeys = {
  me: () => ["me"] as const,
};
