import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/problem";
import { profileBody, profileProblems, profileToForm, serverFieldErrors } from "./profile";

const fallback = { name: "Ada Lovelace", timezone: "Europe/London", locale: "en-GB" };

describe("the profile form", () => {
  it("starts a new profile from the account", () => {
    expect(profileToForm(null, fallback)).toMatchObject({ display_name: "Ada Lovelace", timezone: "Europe/London", country: "GB", languages: ["en"], published: false });
  });

  it("checks what the server requires", () => {
    const form = { ...profileToForm(null, fallback), display_name: " ", languages: [], country: "", photo_url: "ftp://x" };
    expect(profileProblems(form)).toEqual({ display_name: "required", languages: "required", country: "required", photo_url: "url" });
    expect(profileProblems(profileToForm(null, fallback))).toEqual({});
    expect(profileProblems({ ...profileToForm(null, fallback), specialties: Array.from({ length: 11 }, (_, i) => `s${i}`) })).toEqual({ specialties: "tooMany" });
  });

  it("sends trimmed text and no empty photo", () => {
    const body = profileBody({ ...profileToForm(null, fallback), headline: " Maths ", photo_url: " " });
    expect(body.headline).toBe("Maths");
    expect(body.photo_url).toBeNull();
  });

  it("finds the field of a server problem", () => {
    const error = new ApiError({
      type: "https://confer.dev/problems/validation",
      title: "The request has invalid fields",
      status: 422,
      errors: [
        { field: "specialties", message: "unknown: astrology" },
        { field: "body", message: "Expected `str` of length <= 120 - at `$.display_name`" },
      ],
    });
    expect(serverFieldErrors(error)).toEqual({ specialties: "unknown: astrology", display_name: "Expected `str` of length <= 120 - at `$.display_name`" });
    expect(serverFieldErrors(new Error("x"))).toEqual({});
  });
});
