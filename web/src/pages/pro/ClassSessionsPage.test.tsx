import { fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, renderApp } from "../../features/testing/render";
import { ClassSessionsPage } from "./ClassSessionsPage";
import { PROFILE } from "./testing";

afterEach(() => vi.unstubAllGlobals());

const CLASS_ID = "0c000000-0000-4000-8000-000000000001";
const SESSION_ID = "5e000000-0000-4000-8000-000000000001";

describe("a class's sessions", () => {
  it("shows each session's seats, and its roster and waitlist in order", async () => {
    fakeApi({
      "GET /api/v1/me/professional": PROFILE,
      "GET /api/v1/me/offerings": [
        {
          id: CLASS_ID, professional_id: PROFILE.id, kind: "class", title: "Morning yoga", description: "", duration_minutes: 60,
          slot_step_minutes: 15, price_minor: 0, currency: "EUR", buffer_before_minutes: 0, buffer_after_minutes: 0, min_notice_minutes: 0,
          horizon_days: 60, max_per_day: null, cancellation_free_hours: 24, late_cancellation_refund_percent: 0, requires_approval: false,
          capacity: 2, published: true,
        },
      ],
      [`GET /api/v1/me/classes/${CLASS_ID}/sessions`]: {
        items: [
          { id: SESSION_ID, offering_id: CLASS_ID, professional_id: PROFILE.id, starts_at: "2026-12-07T07:00:00Z", ends_at: "2026-12-07T08:00:00Z", capacity: 2, seats_left: 0, status: "scheduled" },
        ],
        next_cursor: null,
      },
      [`GET /api/v1/me/classes/sessions/${SESSION_ID}/enrolments`]: [
        { id: "e1", session_id: SESSION_ID, client_id: "aaaaaaaa-0000-4000-8000-000000000001", status: "enrolled", position: null, offer_expires_at: null, created_at: "2026-11-20T10:00:00Z" },
        { id: "e2", session_id: SESSION_ID, client_id: "bbbbbbbb-0000-4000-8000-000000000001", status: "enrolled", position: null, offer_expires_at: null, created_at: "2026-11-20T11:00:00Z" },
        { id: "e4", session_id: SESSION_ID, client_id: "dddddddd-0000-4000-8000-000000000001", status: "waitlisted", position: 2, offer_expires_at: null, created_at: "2026-11-21T11:00:00Z" },
        { id: "e3", session_id: SESSION_ID, client_id: "cccccccc-0000-4000-8000-000000000001", status: "waitlisted", position: 1, offer_expires_at: null, created_at: "2026-11-21T10:00:00Z" },
      ],
    });
    renderApp(<ClassSessionsPage />, { pattern: "/pro/offerings/:offeringId/sessions", path: `/pro/offerings/${CLASS_ID}/sessions` });

    expect(await screen.findByRole("heading", { name: "Sessions of Morning yoga" }, { timeout: 5000 })).toBeTruthy();
    expect(await screen.findByText("2 of 2 seats taken")).toBeTruthy();
    expect(screen.getByText("Full")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Show roster" }));

    const waitlist = await screen.findByRole("table", { name: "Waitlist" });
    const rows = [...waitlist.querySelectorAll("tbody tr")].map((row) => row.textContent ?? "");
    expect(rows[0]).toContain("Client cccccccc");
    expect(rows[1]).toContain("Client dddddddd");
    expect(screen.getByRole("table", { name: "Enrolled" }).querySelectorAll("tbody tr")).toHaveLength(2);
  });
});
