import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, problem, renderApp } from "../../features/testing/render";
import { ProfilePage } from "./ProfilePage";
import { PROFILE } from "./testing";

afterEach(() => vi.unstubAllGlobals());

describe("the profile editor", () => {
  it("edits the saved profile and shows the server's word on a field", async () => {
    const { calls } = fakeApi({
      "GET /api/v1/me/professional": { ...PROFILE, headline: "Maths tutor", specialties: ["mathematics"] },
      "PUT /api/v1/me/professional": problem(422, "specialties: unknown: astrology", [{ field: "specialties", message: "unknown: astrology" }]),
    });
    renderApp(<ProfilePage />);

    const headline = (await screen.findByLabelText(/^Headline/, undefined, { timeout: 5000 })) as HTMLInputElement;
    expect(headline.value).toBe("Maths tutor");
    fireEvent.change(headline, { target: { value: "  Maths and physics tutor " } });
    fireEvent.click(screen.getByRole("button", { name: "Save profile" }));

    await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
    expect(calls.find((c) => c.method === "PUT")?.body).toMatchObject({
      display_name: "Dr Example",
      headline: "Maths and physics tutor",
      specialties: ["mathematics"],
      languages: ["en"],
      timezone: "Europe/Paris",
      country: "FR",
      photo_url: null,
    });
    expect(await screen.findByText("unknown: astrology")).toBeTruthy();
  });

  it("starts a new profile and asks for what is missing before sending", async () => {
    const { calls } = fakeApi({ "GET /api/v1/me/professional": null });
    renderApp(<ProfilePage />);
    expect(await screen.findByRole("heading", { name: "Create your profile" }, { timeout: 5000 })).toBeTruthy();
    fireEvent.change(screen.getByLabelText(/^Name shown to clients/), { target: { value: "" } });
    fireEvent.click(screen.getByRole("button", { name: "Create profile" }));
    expect(await screen.findByText("Some fields need fixing.")).toBeTruthy();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
  });
});
