import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, problem, renderApp } from "../../features/testing/render";
import { OfferingsPage } from "./OfferingsPage";
import { PROFILE } from "./testing";

afterEach(() => vi.unstubAllGlobals());

describe("the offerings page", () => {
  it("creates a paid consultation and shows why the server refused to publish it", async () => {
    const { calls } = fakeApi({
      "GET /api/v1/me/professional": PROFILE,
      "GET /api/v1/me/offerings": [],
      "POST /api/v1/me/offerings": problem(
        422,
        "price_minor: payments are not configured on this server (CONFER_PAYMENTS_*): publish it free, or unpublished for now",
        [{ field: "price_minor", message: "payments are not configured on this server" }],
      ),
    });
    renderApp(<OfferingsPage />);

    expect(await screen.findByText(/No offerings yet/, undefined, { timeout: 5000 })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "New offering" }));
    fireEvent.change(await screen.findByLabelText(/^Title/), { target: { value: "First consultation" } });
    fireEvent.change(screen.getByLabelText(/^Price/), { target: { value: "60" } });
    fireEvent.click(screen.getByRole("button", { name: "Create offering" }));

    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    expect(calls.find((c) => c.method === "POST")?.body).toMatchObject({
      kind: "consultation",
      title: "First consultation",
      price_minor: 6000,
      currency: "EUR",
      published: true,
    });
    expect(await screen.findByText(/payments are not configured on this server \(CONFER_PAYMENTS_\*\)/)).toBeTruthy();
  });

  it("asks for a title before sending anything", async () => {
    const { calls } = fakeApi({ "GET /api/v1/me/professional": PROFILE, "GET /api/v1/me/offerings": [] });
    renderApp(<OfferingsPage />);
    fireEvent.click(await screen.findByRole("button", { name: "New offering" }, { timeout: 5000 }));
    fireEvent.click(await screen.findByRole("button", { name: "Create offering" }));
    expect(await screen.findByText("Some fields need fixing.")).toBeTruthy();
    expect(calls.some((c) => c.method === "POST")).toBe(false);
  });
});
