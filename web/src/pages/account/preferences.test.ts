import { describe, expect, it } from "vitest";
import { changes, toGrid, toggled } from "./preferences";

const kinds = ["booking.confirmed", "booking.reminder"];
const channels = ["in_app", "email", "push"];

describe("the notification preferences table", () => {
  it("reads the server's list into rows of kinds and columns of channels", () => {
    const grid = toGrid(kinds, channels, [{ kind: "booking.reminder", channel: "email", enabled: false }]);
    expect(grid).toEqual({
      "booking.confirmed": { in_app: true, email: true, push: true },
      "booking.reminder": { in_app: true, email: false, push: true },
    });
  });

  it("sends only the switches that changed", () => {
    const saved = toGrid(kinds, channels, [{ kind: "booking.reminder", channel: "email", enabled: false }]);
    let edited = toggled(saved, "booking.confirmed", "push", false);
    edited = toggled(edited, "booking.reminder", "email", true);
    edited = toggled(edited, "booking.reminder", "in_app", false);
    edited = toggled(edited, "booking.reminder", "in_app", true);
    expect(changes(saved, edited)).toEqual([
      { kind: "booking.confirmed", channel: "push", enabled: false },
      { kind: "booking.reminder", channel: "email", enabled: true },
    ]);
    expect(saved["booking.confirmed"]?.push).toBe(true);
  });
});
