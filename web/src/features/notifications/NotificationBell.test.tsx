import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeWebSocket } from "../testing/fakeSocket";
import { fakeApi, renderApp, signedInEachTest } from "../testing/render";
import { appPath } from "./links";
import { NotificationBell } from "./NotificationBell";

const notification = (id: string, read: boolean) => ({
  id,
  kind: "booking.confirmed",
  title: `Booking ${id} confirmed`,
  body: "See you then.",
  link: `https://confer.example/bookings/${id}`,
  data: {},
  created_at: "2026-11-10T09:00:00Z",
  read_at: read ? "2026-11-10T09:05:00Z" : null,
});

signedInEachTest();

describe("the notifications bell", () => {
  it("shows the unread count and follows it live from the socket", async () => {
    let unread = 2;
    fakeApi((request) => {
      const path = new URL(request.url).pathname;
      if (path === "/api/v1/notifications") return Response.json({ items: [notification("b1", false), notification("b2", false)], next_cursor: null, unread });
      if (path === "/api/v1/notifications/read") return Response.json({ unread: 0 });
      return undefined;
    });
    renderApp(<NotificationBell />);

    expect(await screen.findByRole("button", { name: "Notifications (2 unread)" })).toBeTruthy();

    const socket = FakeWebSocket.last();
    act(() => socket.open());
    expect(socket.sent[0]).toEqual({ type: "auth", token: "access" });
    unread = 3;
    act(() => {
      socket.push({ type: "ready", seq: -1, channels: ["user:u"] });
      socket.push({ seq: 10, channel: "user:u", type: "notification", data: { id: "b3", kind: "booking.confirmed", title: "New", body: "x" } });
    });
    expect(await screen.findByRole("button", { name: "Notifications (3 unread)" })).toBeTruthy();
    expect(screen.getByRole("status").textContent).toBe("New notification: New");

    // Read on another device: the count there is the count here.
    act(() => socket.push({ seq: 11, channel: "user:u", type: "notifications.read", data: { unread: 0 } }));
    expect(await screen.findByRole("button", { name: "Notifications" })).toBeTruthy();
  });

  it("marks everything read from the list", async () => {
    const api = fakeApi((request) => {
      const path = new URL(request.url).pathname;
      if (path === "/api/v1/notifications") return Response.json({ items: [notification("b1", false)], next_cursor: null, unread: 1 });
      if (path === "/api/v1/notifications/read") return Response.json({ unread: 0 });
      return undefined;
    });
    renderApp(<NotificationBell />);

    fireEvent.click(await screen.findByRole("button", { name: "Notifications (1 unread)" }));
    expect(await screen.findByText("Booking b1 confirmed")).toBeTruthy();
    fireEvent.click(await screen.findByRole("button", { name: "Mark all as read" }));
    await waitFor(() => expect(api.calls).toContainEqual({ method: "POST", path: "/api/v1/notifications/read", body: { all: true } }));
  });

  it("turns the server's absolute links into paths of this app", () => {
    expect(appPath("https://confer.example/bookings/b1", "http://localhost:5173")).toBe("/bookings/b1");
    expect(appPath("/account/notifications", "http://localhost:5173")).toBe("/account/notifications");
  });
});
