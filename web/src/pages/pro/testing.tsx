/** Rendering a professional's page in tests: the app's providers, and a fake API answering by method and path. */
import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { vi } from "vitest";
import { AuthProvider } from "../../auth/AuthContext";

// jsdom has no FontFaceSet; Mantine's autosizing textarea listens to it.
if (typeof document !== "undefined" && !("fonts" in document)) {
  Object.defineProperty(document, "fonts", { value: { addEventListener: () => undefined, removeEventListener: () => undefined } });
}

export interface Call {
  method: string;
  path: string;
  body: unknown;
}

type Answer = unknown | ((body: unknown) => Response | unknown);

/** `routes` maps "METHOD /path" to a JSON answer (or a function of the request body); anything else is a 404. */
export function fakeApi(routes: Record<string, Answer>) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (request: Request) => {
    const path = new URL(request.url).pathname;
    const text = request.method === "GET" ? "" : await request.text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    calls.push({ method: request.method, path, body });
    const key = `${request.method} ${path}`;
    if (!(key in routes)) return Response.json({ type: "about:blank", title: "Not found", status: 404 }, { status: 404 });
    const answer = routes[key];
    const value = typeof answer === "function" ? (answer as (body: unknown) => unknown)(body) : answer;
    return value instanceof Response ? value : Response.json(value);
  });
  vi.stubGlobal("fetch", fetch);
  return calls;
}

export function problem(status: number, detail: string, errors?: { field: string; message: string }[]): Response {
  return Response.json(
    { type: "https://confer.dev/problems/validation", title: "The request has invalid fields", status, detail, errors },
    { status, headers: { "Content-Type": "application/problem+json" } },
  );
}

export const PROFILE = {
  id: "7e0f2c1a-0000-4000-8000-000000000001",
  display_name: "Dr Example",
  headline: "",
  bio: "",
  specialties: [],
  languages: ["en"],
  timezone: "Europe/Paris",
  country: "FR",
  photo_url: null,
  published: true,
  created_at: "2026-11-01T00:00:00Z",
  offerings: [],
};

/** `route`: the page's route pattern and the address it is opened at, for pages that read URL parameters. */
export function renderPage(page: ReactNode, route?: { path: string; at: string }) {
  return render(
    <MantineProvider>
      <Notifications />
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <MemoryRouter initialEntries={route ? [route.at] : undefined}>
          <AuthProvider>
            {route ? (
              <Routes>
                <Route path={route.path} element={page} />
              </Routes>
            ) : (
              page
            )}
          </AuthProvider>
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}
