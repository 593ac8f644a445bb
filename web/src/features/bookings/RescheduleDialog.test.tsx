import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { fakeApi, ME, renderApp, signedInEachTest } from "../testing/render";
import { RescheduleDialog } from "./RescheduleDialog";

const PRO = "00000000-0000-4000-8000-0000000000b0";
const OFFERING = "00000000-0000-4000-8000-0000000000f0";
const BOOKING = {
  id: "00000000-0000-4000-8000-0000000000b1",
  offering_id: OFFERING,
  professional_id: PRO,
  client_id: ME.id,
  starts_at: "2030-01-07T09:00:00Z",
  ends_at: "2030-01-07T09:30:00Z",
  status: "confirmed",
  hold_expires_at: null,
  refund_percent: null,
  cancel_reason: null,
  created_at: "2029-12-01T00:00:00Z",
};

signedInEachTest();

describe("rescheduling a booking", () => {
  it("offers the offering's free slots in the viewer's zone, without the current time, and moves the booking", async () => {
    const api = fakeApi((request, body) => {
      const url = new URL(request.url);
      if (url.pathname === `/api/v1/professionals/${PRO}/slots`) {
        expect(url.searchParams.get("offering_id")).toBe(OFFERING);
        expect(url.searchParams.get("tz")).toBe("America/New_York");
        return Response.json({
          offering_id: OFFERING,
          zone: "America/New_York",
          professional_zone: "Europe/Paris",
          from_date: url.searchParams.get("from"),
          to_date: url.searchParams.get("to"),
          slots: [
            { starts_at: BOOKING.starts_at, ends_at: BOOKING.ends_at },
            { starts_at: "2030-01-08T15:00:00Z", ends_at: "2030-01-08T15:30:00Z" },
          ],
        });
      }
      if (url.pathname === `/api/v1/bookings/${BOOKING.id}/reschedule`) {
        return Response.json({ ...BOOKING, starts_at: (body as { starts_at: string }).starts_at, ends_at: "2030-01-08T15:30:00Z" });
      }
      return undefined;
    });
    const closed = vi.fn();
    renderApp(<RescheduleDialog booking={BOOKING} zone="America/New_York" onClose={closed} />);

    const slots = await screen.findAllByRole("button", { name: /^Move to / });
    expect(slots).toHaveLength(1);
    expect(slots[0]?.textContent).toMatch(/10:00/); // 15:00 UTC is 10:00 in New York in January
    fireEvent.click(slots[0] as HTMLElement);
    fireEvent.click(await screen.findByRole("button", { name: "Move booking" }));

    await waitFor(() => expect(closed).toHaveBeenCalled());
    expect(api.calls).toContainEqual({ method: "POST", path: `/api/v1/bookings/${BOOKING.id}/reschedule`, body: { starts_at: "2030-01-08T15:00:00Z" } });
  });
});
