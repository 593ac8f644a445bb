import { describe, expect, it } from "vitest";
import { newOfferingForm, offeringBody, offeringProblems, offeringToForm, toMinor, type Offering } from "./offerings";

describe("the offering form", () => {
  it("reads prices in the currency's major unit", () => {
    expect(toMinor(45.5, "EUR")).toBe(4550);
    expect(toMinor("45,5", "EUR")).toBe(4550);
    expect(toMinor("0.1", "EUR")).toBe(10);
    expect(toMinor(19.99, "USD")).toBe(1999);
    expect(toMinor(1500, "JPY")).toBe(1500);
    expect(toMinor("", "EUR")).toBeNaN();
    expect(toMinor("abc", "EUR")).toBeNaN();
  });

  it("asks for a title and keeps numbers within the server's bounds", () => {
    const form = { ...newOfferingForm(), title: " ", durationMinutes: 500, price: "", bufferAfterMinutes: 2.5 };
    expect(offeringProblems(form)).toEqual({ title: "required", durationMinutes: "range", price: "required", bufferAfterMinutes: "range" });
    expect(offeringProblems({ ...newOfferingForm(), title: "Talk" })).toEqual({});
  });

  it("needs a capacity for a class only", () => {
    expect(offeringProblems({ ...newOfferingForm("class"), title: "Yoga", capacity: "" })).toEqual({ capacity: "required" });
    expect(offeringProblems({ ...newOfferingForm("consultation"), title: "Talk", capacity: "" })).toEqual({});
  });

  it("makes the API body of a consultation", () => {
    const body = offeringBody({
      ...newOfferingForm("consultation", "EUR"),
      title: "  First consultation ",
      price: 60,
      minNoticeHours: 1.5,
      maxPerDay: 4,
      requiresApproval: true,
    });
    expect(body).toMatchObject({
      kind: "consultation",
      title: "First consultation",
      price_minor: 6000,
      currency: "EUR",
      min_notice_minutes: 90,
      max_per_day: 4,
      requires_approval: true,
      capacity: null,
      published: true,
    });
  });

  it("makes the API body of a class, and reads an offering back unchanged", () => {
    const body = offeringBody({ ...newOfferingForm("class"), title: "Morning yoga", capacity: 12, requiresApproval: true, maxPerDay: 3 });
    expect(body).toMatchObject({ kind: "class", capacity: 12, requires_approval: false, max_per_day: null });
    const offering: Offering = { ...body, description: body.description ?? "", id: "o1", professional_id: "p1" } as Offering;
    expect(offeringBody(offeringToForm(offering))).toEqual(body);
  });
});
