import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthProvider } from "../auth/AuthContext";
import { SearchPage } from "./SearchPage";

const PAGE = {
  zone: "UTC",
  next_cursor: null,
  items: [
    {
      id: "7e0f2c1a-0000-4000-8000-000000000001",
      display_name: "Ada Lovelace",
      headline: "Analytical engines, explained",
      specialties: ["maths"],
      languages: ["en"],
      timezone: "Europe/London",
      country: "GB",
      photo_url: null,
      offering_kinds: ["consultation"],
      price_from: { amount_minor: 4500, currency: "EUR" },
      rating_avg: 4.5,
      rating_count: 2,
      next_available_at: "2026-11-10T09:00:00Z",
    },
  ],
};

afterEach(() => vi.unstubAllGlobals());

describe("the search page", () => {
  it("shows each professional with price, rating and the next free time", async () => {
    const fetch = vi.fn(async (request: Request) => {
      expect(new URL(request.url).pathname).toBe("/api/v1/professionals");
      return Response.json(PAGE);
    });
    vi.stubGlobal("fetch", fetch);

    render(
      <MantineProvider>
        <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
          <MemoryRouter>
            <AuthProvider>
              <SearchPage />
            </AuthProvider>
          </MemoryRouter>
        </QueryClientProvider>
      </MantineProvider>,
    );

    expect(await screen.findByRole("link", { name: "View Ada Lovelace's profile" })).toBeTruthy();
    expect(screen.getByText(/from €45.00|from 45,00/)).toBeTruthy();
    expect(screen.getByText(/4\.5 ★ \(2 reviews\)/)).toBeTruthy();
    expect(screen.getByText(/^Next free: /)).toBeTruthy();
    expect(screen.getByRole("search", { name: "Search filters" })).toBeTruthy();
  });
});
