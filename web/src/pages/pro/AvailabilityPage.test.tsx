import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, problem, renderApp } from "../../features/testing/render";
import { AvailabilityPage } from "./AvailabilityPage";
import { PROFILE } from "./testing";

afterEach(() => vi.unstubAllGlobals());

describe("the availability page", () => {
  it("adds Monday hours next to the saved Tuesday ones and saves the whole week", async () => {
    const { calls } = fakeApi({
      "GET /api/v1/me/professional": PROFILE,
      "GET /api/v1/me/availability/rules": [{ weekday: 2, start: "10:00", end: "12:00" }],
      "GET /api/v1/me/availability/overrides": [],
      "GET /api/v1/me/time-off": [],
      "GET /api/v1/me/availability/external-calendar": { url: null, status: null, last_fetched_at: null, last_error: null, busy_intervals: 0, events: 0 },
      "PUT /api/v1/me/availability/rules": (body: unknown) => body,
    });
    renderApp(<AvailabilityPage />);

    expect(await screen.findByText(/All times on this page are in your profile's time zone, Europe\/Paris/, undefined, { timeout: 5000 })).toBeTruthy();
    expect(((await screen.findByLabelText("Tuesday start")) as HTMLInputElement).value).toBe("10:00");
    fireEvent.click(screen.getByRole("button", { name: "Add time on Monday" }));
    fireEvent.change(screen.getByLabelText("Monday start"), { target: { value: "08:30" } });
    fireEvent.change(screen.getByLabelText("Monday end"), { target: { value: "12:30" } });
    fireEvent.click(screen.getByRole("button", { name: "Save availability" }));

    await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual([
      { weekday: 1, start: "08:30", end: "12:30" },
      { weekday: 2, start: "10:00", end: "12:00" },
    ]);
    expect(await screen.findByText("Your weekly hours are saved.")).toBeTruthy();
  });

  it("will not save hours that end before they start, and shows the server's refusal", async () => {
    fakeApi({
      "GET /api/v1/me/professional": PROFILE,
      "GET /api/v1/me/availability/rules": [],
      "GET /api/v1/me/availability/overrides": [],
      "GET /api/v1/me/time-off": [],
      "GET /api/v1/me/availability/external-calendar": { url: null, status: null, last_fetched_at: null, last_error: null, busy_intervals: 0, events: 0 },
      "PUT /api/v1/me/availability/rules": problem(409, "Create your professional profile first"),
    });
    renderApp(<AvailabilityPage />);

    fireEvent.click(await screen.findByRole("button", { name: "Add time on Friday" }, { timeout: 5000 }));
    fireEvent.change(screen.getByLabelText("Friday end"), { target: { value: "08:00" } });
    expect(screen.getByText("The end must be after the start.")).toBeTruthy();
    const save = screen.getByRole("button", { name: "Save availability" }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    fireEvent.change(screen.getByLabelText("Friday end"), { target: { value: "18:00" } });
    fireEvent.click(save);
    expect(await screen.findByText("Create your professional profile first")).toBeTruthy();
  });

  it("links a calendar, shows its import under way, then why it was refused", async () => {
    const linked = { url: "https://calendar.example.org/bomb.ics", last_fetched_at: null, busy_intervals: 0, events: 0 };
    let reads = 0;
    fakeApi({
      "GET /api/v1/me/professional": PROFILE,
      "GET /api/v1/me/availability/rules": [],
      "GET /api/v1/me/availability/overrides": [],
      "GET /api/v1/me/time-off": [],
      "GET /api/v1/me/availability/external-calendar": () =>
        reads++ === 0
          ? { url: null, status: null, last_fetched_at: null, last_error: null, busy_intervals: 0, events: 0 }
          : { ...linked, status: "refused", last_error: "the calendar has more than 5000 busy times in the imported period; nothing was imported" },
      "PUT /api/v1/me/availability/external-calendar": () => new Response(JSON.stringify({ ...linked, status: "queued", last_error: null }), { status: 202, headers: { "Content-Type": "application/json" } }),
    });
    renderApp(<AvailabilityPage />);

    fireEvent.change(await screen.findByLabelText("Calendar ICS URL", undefined, { timeout: 5000 }), { target: { value: linked.url } });
    fireEvent.click(screen.getByRole("button", { name: "Link calendar" }));
    expect(await screen.findByText("Reading your calendar…")).toBeTruthy();
    expect(await screen.findByText(/more than 5000 busy times/, undefined, { timeout: 5000 })).toBeTruthy();
    expect(screen.getByText("Your calendar was not imported: link it again once it is fixed")).toBeTruthy();
  });
});
