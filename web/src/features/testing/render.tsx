import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { configure, render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, beforeEach, vi } from "vitest";
import { tokenStore } from "../../api/client";
import { AuthProvider } from "../../auth/AuthContext";
import { RealtimeProvider } from "../../realtime";
import { FakeWebSocket } from "./fakeSocket";

// The first render of a test file loads Mantine and the page's modules; under a parallel run that can take seconds.
configure({ asyncUtilTimeout: 5000 });

// jsdom has no FontFaceSet; Mantine's autosizing Textarea listens to it.
if (typeof document !== "undefined" && !("fonts" in document)) {
  Object.defineProperty(document, "fonts", { configurable: true, value: { addEventListener: () => undefined, removeEventListener: () => undefined } });
}

/**
 * Render `ui` inside the app's providers (Mantine with its notifications, Query, a router at `path`, auth and real time).
 * `pattern`: the route pattern `ui` is mounted at, for pages that read URL parameters.
 */
export function renderApp(ui: ReactNode, { path = "/", pattern }: { path?: string; pattern?: string } = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return {
    queryClient,
    ...render(
      <MantineProvider>
        <Notifications />
        <QueryClientProvider client={queryClient}>
          <MemoryRouter initialEntries={[path]}>
            <AuthProvider>
              <RealtimeProvider>
                {pattern ? (
                  <Routes>
                    <Route path={pattern} element={ui} />
                  </Routes>
                ) : (
                  ui
                )}
              </RealtimeProvider>
            </AuthProvider>
          </MemoryRouter>
        </QueryClientProvider>
      </MantineProvider>,
    ),
  };
}

export const ME = {
  id: "00000000-0000-4000-8000-00000000000a",
  email: "ada@example.org",
  name: "Ada",
  role: "client",
  timezone: "Europe/Paris",
  locale: "en",
  avatar_url: null,
  email_verified: true,
  created_at: "2026-01-01T00:00:00Z",
};

/** Every test of the file runs signed in (as ME), with FakeWebSocket for the browser's WebSocket; signed out afterwards. */
export function signedInEachTest() {
  beforeEach(() => {
    FakeWebSocket.instances = [];
    vi.stubGlobal("WebSocket", FakeWebSocket);
    tokenStore.set({ accessToken: "access", refreshToken: "refresh" });
  });
  afterEach(() => {
    tokenStore.set(null);
    vi.unstubAllGlobals();
  });
}

type Handler = (request: Request, body: unknown) => Response | Promise<Response> | undefined;
/** "METHOD /path" to a JSON answer, or to a function of the request body (which may answer with a Response). */
type Table = Record<string, unknown>;

function handlerOf(table: Table): Handler {
  return (request, body) => {
    const key = `${request.method} ${new URL(request.url).pathname}`;
    if (!(key in table)) return undefined;
    const answer = table[key];
    const value: unknown = typeof answer === "function" ? (answer as (body: unknown) => unknown)(body) : answer;
    return value instanceof Response ? value : Response.json(value);
  };
}

/**
 * Stand in for the global fetch: /api/v1/me answers ME, everything else goes to `routes` (a handler or a table);
 * what nothing answers is a 404. Calls are recorded with their path and query.
 */
export function fakeApi(routes: Handler | Table) {
  const route = typeof routes === "function" ? routes : handlerOf(routes);
  const calls: { method: string; path: string; body: unknown }[] = [];
  const fetch = async (request: Request) => {
    const url = new URL(request.url);
    const text = request.method === "GET" ? "" : await request.text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    calls.push({ method: request.method, path: url.pathname + url.search, body });
    if (url.pathname === "/api/v1/me" && request.method === "GET") return Response.json(ME);
    const answer = await route(request, body);
    return answer ?? Response.json({ type: "not-found", title: "Not found", status: 404 }, { status: 404 });
  };
  vi.stubGlobal("fetch", fetch);
  return { fetch, calls };
}

/** A problem+json answer, as the API sends for invalid or refused requests. */
export function problem(status: number, detail: string, errors?: { field: string; message: string }[]): Response {
  return Response.json(
    { type: "https://confer.dev/problems/validation", title: "The request has invalid fields", status, detail, errors },
    { status, headers: { "Content-Type": "application/problem+json" } },
  );
}
