import { describe, expect, it } from "vitest";
import { decimalToMinor, monthlyTotals, monthSeries, parseEarningsCsv } from "./earnings";

const CSV = [
  "paid_at,booking_id,currency,gross,fee,refunded,net",
  "2026-09-30T22:30:00+00:00,b1,EUR,60.00,6.00,0.00,54.00",
  "2026-10-02T10:00:00+00:00,b2,EUR,45.50,4.55,10.00,32.50",
  "2026-10-03T10:00:00+00:00,b3,USD,100.00,10.00,0.00,90.00",
  "not,a,line",
  "",
].join("\r\n");

describe("earnings by month", () => {
  it("reads decimals without floating point", () => {
    expect(decimalToMinor("45.50")).toBe(4550);
    expect(decimalToMinor("0.07")).toBe(7);
    expect(decimalToMinor("-1.5")).toBe(-150);
    expect(decimalToMinor("12")).toBe(1200);
    expect(decimalToMinor("x")).toBeNaN();
  });

  it("reads the export's lines and skips the unreadable ones", () => {
    const lines = parseEarningsCsv(CSV);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toEqual({
      paidAt: "2026-10-02T10:00:00+00:00",
      bookingId: "b2",
      currency: "EUR",
      grossMinor: 4550,
      feeMinor: 455,
      refundedMinor: 1000,
      netMinor: 3250,
    });
    expect(parseEarningsCsv("")).toEqual([]);
    expect(parseEarningsCsv("something,else\n1,2")).toEqual([]);
  });

  it("adds up by month and currency in the professional's zone", () => {
    const lines = parseEarningsCsv(CSV);
    // 30 September 22:30 UTC is already 1 October in Paris.
    const paris = monthlyTotals(lines, "Europe/Paris");
    expect(paris.map((t) => [t.month, t.currency, t.payments, t.netMinor])).toEqual([
      ["2026-10", "EUR", 2, 8650],
      ["2026-10", "USD", 1, 9000],
    ]);
    const utc = monthlyTotals(lines, "UTC");
    expect(utc.map((t) => [t.month, t.currency, t.grossMinor])).toEqual([
      ["2026-09", "EUR", 6000],
      ["2026-10", "EUR", 4550],
      ["2026-10", "USD", 10000],
    ]);
  });

  it("fills the months without earnings with zeros, across a new year", () => {
    const totals = monthlyTotals(parseEarningsCsv(CSV), "UTC");
    const series = monthSeries(totals, "EUR", "2027-01", 5);
    expect(series.map((m) => [m.month, m.netMinor])).toEqual([
      ["2026-09", 5400],
      ["2026-10", 3250],
      ["2026-11", 0],
      ["2026-12", 0],
      ["2027-01", 0],
    ]);
  });
});
