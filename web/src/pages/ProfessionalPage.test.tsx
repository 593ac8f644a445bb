import { fireEvent, screen } from "@testing-library/react";
import { Route, Routes, useParams } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeApi, renderApp, signedInEachTest } from "../features/testing/render";
import { ProfessionalPage } from "./ProfessionalPage";

const PRO = "00000000-0000-4000-8000-0000000000b0";
const soon = new Date(Date.now() + 26 * 3600_000);
soon.setUTCMinutes(0, 0, 0);
const SLOT = { starts_at: soon.toISOString(), ends_at: new Date(soon.getTime() + 30 * 60_000).toISOString() };

const offering = (price_minor: number) => ({
  id: "00000000-0000-4000-8000-0000000000f0",
  kind: "consultation",
  title: "Consultation",
  description: "",
  duration_minutes: 30,
  price_minor,
  currency: "EUR",
  published: true,
});

function PaymentStandIn() {
  const { id } = useParams();
  return <p>payment of {id}</p>;
}

signedInEachTest();

function serve(price: number, status: string) {
  return fakeApi((request) => {
    const url = new URL(request.url);
    if (url.pathname === `/api/v1/professionals/${PRO}`) {
      return Response.json({ id: PRO, display_name: "Dr Example", headline: "", bio: "", specialties: [], languages: [], timezone: "Europe/Paris", offerings: [offering(price)] });
    }
    if (url.pathname === `/api/v1/professionals/${PRO}/slots`) return Response.json({ slots: [SLOT] });
    if (url.pathname === `/api/v1/professionals/${PRO}/reviews`) return Response.json({ items: [], next_cursor: null, summary: { average: null, count: 0 } });
    if (url.pathname === "/api/v1/bookings" && request.method === "POST") {
      return Response.json({ id: "new-booking", status, hold_expires_at: status === "pending_payment" ? SLOT.starts_at : null, starts_at: SLOT.starts_at, ends_at: SLOT.ends_at }, { status: 201 });
    }
    return undefined;
  });
}

function page() {
  return (
    <Routes>
      <Route path="/professionals/:id" element={<ProfessionalPage />} />
      <Route path="/bookings/:id" element={<PaymentStandIn />} />
    </Routes>
  );
}

describe("booking from a professional's page", () => {
  it("goes straight on to payment after booking a paid offering", async () => {
    serve(4500, "pending_payment");
    renderApp(page(), { path: `/professionals/${PRO}` });
    fireEvent.click(await screen.findByRole("button", { name: /^Book / }));
    fireEvent.click(await screen.findByRole("button", { name: "Book this time" }));
    expect(await screen.findByText("payment of new-booking")).toBeTruthy();
  });

  it("confirms a free offering on the spot, without payment", async () => {
    serve(0, "confirmed");
    renderApp(page(), { path: `/professionals/${PRO}` });
    fireEvent.click(await screen.findByRole("button", { name: /^Book / }));
    fireEvent.click(await screen.findByRole("button", { name: "Book this time" }));
    expect(await screen.findByText("Booked. You will find it in your bookings.", { selector: ".mantine-Alert-message, .mantine-Alert-message *" })).toBeTruthy();
    expect(screen.queryByText(/payment of/)).toBeNull();
  });
});
