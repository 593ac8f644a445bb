/** The typed Confer API client (types generated from the server's OpenAPI: scripts/web schema). */
import createClient from "openapi-fetch";
import { createAuthFetch, TokenStore } from "../auth/tokens";
import { ApiError, toProblem } from "./problem";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

/** Same origin as the page: Confer serves the app, and Vite's dev server proxies /api to it. */
export const API_BASE = globalThis.location?.origin ?? "";
export const REFRESH_PATH = "/api/v1/auth/refresh";

export const tokenStore = new TokenStore();

const sessionEndedListeners = new Set<() => void>();

export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

function refreshUrl(): string {
  return new URL(REFRESH_PATH, globalThis.location?.origin ?? "http://localhost").toString();
}

function sessionEnded(): void {
  sessionEndedListeners.forEach((listener) => listener());
}

/** The session ended on the server (the socket said so): this browser's tokens go, in every tab. */
export function endSession(): void {
  tokenStore.set(null);
  sessionEnded();
}

/** The API client's fetch: also refreshes the tokens on demand (`ensureFresh`, `refresh`), single-flight across tabs. */
export const authFetch = createAuthFetch({ store: tokenStore, refreshUrl: refreshUrl(), onSessionEnded: sessionEnded });

export const api = createClient<paths>({ baseUrl: API_BASE, fetch: authFetch });

/** The `.ics` file of a booking: it needs the token, so it is fetched and handed to the browser as a download. */
export async function downloadIcs(bookingId: string): Promise<void> {
  const { data, error, response } = await api.GET("/api/v1/bookings/{booking_id}/ics", {
    params: { path: { booking_id: bookingId } },
    parseAs: "blob",
  });
  if (error !== undefined || !data) {
    throw new ApiError(toProblem(response.status, error, response.statusText));
  }
  const url = URL.createObjectURL(data);
  const link = document.createElement("a");
  link.href = url;
  link.download = `confer-booking-${bookingId}.ics`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
