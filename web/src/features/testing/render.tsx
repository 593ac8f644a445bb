import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { configure, render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { AuthProvider } from "../../auth/AuthContext";
import { RealtimeProvider } from "../../realtime";

// The first render of a test file loads Mantine and the page's modules; under a parallel run that can take seconds.
configure({ asyncUtilTimeout: 5000 });

// jsdom has no FontFaceSet; Mantine's autosizing Textarea listens to it.
if (typeof document !== "undefined" && !("fonts" in document)) {
  Object.defineProperty(document, "fonts", { configurable: true, value: { addEventListener: () => undefined, removeEventListener: () => undefined } });
}

/** Render `ui` inside the app's providers (Mantine, Query, a router at `path`, auth and real time). */
export function renderApp(ui: ReactNode, { path = "/" }: { path?: string } = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return {
    queryClient,
    ...render(
      <MantineProvider>
        <QueryClientProvider client={queryClient}>
          <MemoryRouter initialEntries={[path]}>
            <AuthProvider>
              <RealtimeProvider>{ui}</RealtimeProvider>
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

type Route = (request: Request, body: unknown) => Response | Promise<Response> | undefined;

/** A fetch that answers /api/v1/me with ME and hands everything else to `route`; calls are recorded. */
export function fakeApi(route: Route) {
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
  return { fetch, calls };
}
