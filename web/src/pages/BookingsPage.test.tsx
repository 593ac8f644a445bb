import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeApi, ME, renderApp, signedInEachTest } from "../features/testing/render";
import { BookingsPage } from "./BookingsPage";

const PRO = "00000000-0000-4000-8000-0000000000b0";
const OFFERING = "00000000-0000-4000-8000-0000000000f0";
const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

function booking(id: string, status: string, startsIn: number, extra: object = {}) {
  return {
    id,
    offering_id: OFFERING,
    professional_id: PRO,
    client_id: ME.id,
    starts_at: minutes(startsIn),
    ends_at: minutes(startsIn + 30),
    status,
    hold_expires_at: status === "pending_payment" ? minutes(14) : null,
    refund_percent: null,
    cancel_reason: null,
    created_at: minutes(-60),
    ...extra,
  };
}

signedInEachTest();

describe("my bookings", () => {
  it("offers the video room only inside its window, payment while it is due, and each booking's chat", async () => {
    fakeApi((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/bookings") {
        return Response.json({
          items: [booking("soon", "confirmed", 5), booking("later", "confirmed", 24 * 60), booking("unpaid", "pending_payment", 48 * 60)],
          next_cursor: null,
        });
      }
      if (url.pathname === `/api/v1/professionals/${PRO}`) {
        return Response.json({ id: PRO, display_name: "Dr Example", offerings: [{ id: OFFERING, title: "Consultation" }] });
      }
      if (url.pathname === "/api/v1/conversations") {
        return Response.json({ items: [{ id: "soon", kind: "booking", title: "Consultation", starts_at: minutes(5), last_message_at: null, last_message: "hi", unread: 2 }], next_cursor: null });
      }
      return undefined;
    });
    renderApp(<BookingsPage />, { path: "/bookings" });

    const cards = await screen.findAllByRole("article");
    expect(cards).toHaveLength(3);
    const [soon, later, unpaid] = cards as [HTMLElement, HTMLElement, HTMLElement];
    await within(soon).findByRole("link", { name: "Consultation with Dr Example" });

    expect(within(soon).getByRole("link", { name: "Join video" }).getAttribute("href")).toBe("/video/booking/soon");
    expect(within(soon).getByRole("link", { name: "Open chat" }).getAttribute("href")).toBe("/bookings/soon/chat");
    expect(await within(soon).findByText("2")).toBeTruthy();

    const closed = within(later).getByRole("button", { name: "Join video" });
    expect(closed.hasAttribute("disabled")).toBe(true);
    expect(within(later).getByText(/^The video room opens at /)).toBeTruthy();
    expect(within(later).queryByRole("link", { name: "Join video" })).toBeNull();

    expect(within(unpaid).getByRole("link", { name: "Pay now" }).getAttribute("href")).toBe("/bookings/unpaid");
    expect(within(unpaid).getByText("The video room opens once the booking is confirmed.")).toBeTruthy();
    for (const card of cards) {
      expect(within(card).getByRole("button", { name: "Reschedule" })).toBeTruthy();
      expect(within(card).getByRole("button", { name: "Cancel" })).toBeTruthy();
    }
  });
});

describe("my classes", () => {
  function place(session: string, status: string, startsIn: number) {
    return {
      enrolment: { id: `e-${session}`, session_id: session, client_id: ME.id, status, position: status === "waitlisted" ? 2 : null, offer_expires_at: null, created_at: minutes(-60) },
      offering_id: OFFERING,
      title: "Yoga",
      professional_id: PRO,
      professional_name: "Dr Example",
      starts_at: minutes(startsIn),
      ends_at: minutes(startsIn + 60),
      session_status: "scheduled",
    };
  }

  it("opens on the classes (where class notifications link) with the room open only to a seat in its window", async () => {
    fakeApi({
      "GET /api/v1/me/enrolments": { items: [place("now", "enrolled", 5), place("full", "waitlisted", 3 * 24 * 60)] },
    });
    renderApp(<BookingsPage initialTab="classes" />, { path: "/classes" });

    const [now, full] = (await screen.findAllByRole("listitem")) as [HTMLElement, HTMLElement];
    expect(within(now).getByRole("link", { name: "Join video" }).getAttribute("href")).toBe("/video/class/now");
    expect(within(full).getByText("Number 2 on the waitlist")).toBeTruthy();
    expect(within(full).queryByRole("link", { name: "Join video" })).toBeNull();
    expect(within(full).getByRole("button", { name: "Give up my place" })).toBeTruthy();
  });
});
