import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, renderApp } from "../../features/testing/render";
import { CalendarPage } from "./CalendarPage";
import { PROFILE } from "./testing";

afterEach(() => vi.unstubAllGlobals());

const OFFERING = {
  id: "0f000000-0000-4000-8000-000000000001",
  professional_id: PROFILE.id,
  kind: "consultation",
  title: "Initial consultation",
  description: "",
  duration_minutes: 60,
  slot_step_minutes: 30,
  price_minor: 0,
  currency: "EUR",
  buffer_before_minutes: 0,
  buffer_after_minutes: 0,
  min_notice_minutes: 0,
  horizon_days: 60,
  max_per_day: null,
  cancellation_free_hours: 24,
  late_cancellation_refund_percent: 0,
  requires_approval: true,
  capacity: null,
  published: true,
};

function booking(id: string, startsAt: Date, status: string) {
  return {
    id,
    offering_id: OFFERING.id,
    professional_id: PROFILE.id,
    client_id: "c1000000-0000-4000-8000-000000000001",
    starts_at: startsAt.toISOString(),
    ends_at: new Date(startsAt.getTime() + 3600_000).toISOString(),
    status,
    hold_expires_at: null,
    refund_percent: null,
    cancel_reason: null,
    created_at: startsAt.toISOString(),
  };
}

describe("the professional's calendar", () => {
  it("lists requests to approve and confirms one", async () => {
    const request = booking("b1000000-0000-4000-8000-000000000001", new Date(Date.now() + 2 * 86400_000), "held");
    const { calls } = fakeApi({
      "GET /api/v1/me/professional": { ...PROFILE, timezone: "UTC" },
      "GET /api/v1/me/offerings": [OFFERING],
      "GET /api/v1/bookings": { items: [request], next_cursor: null },
      [`POST /api/v1/bookings/${request.id}/confirm`]: { ...request, status: "confirmed" },
    });
    renderApp(<CalendarPage />);

    expect(await screen.findByRole("heading", { name: "Waiting for your approval (1)" }, { timeout: 5000 })).toBeTruthy();
    const confirm = await screen.findAllByRole("button", { name: /^Confirm Initial consultation, / });
    fireEvent.click(confirm[0]!);
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.path.endsWith("/confirm"))).toBe(true));
    expect(await screen.findByText("The booking is confirmed.")).toBeTruthy();
    expect(calls.filter((c) => c.path.split("?")[0] === "/api/v1/bookings").length).toBeGreaterThan(1);
  });
});
