import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeWebSocket } from "../features/testing/fakeSocket";
import { AUTH_REFUSED, RealtimeConnection, SESSION_ENDED, socketUrl, type RealtimeMessage } from "./connection";

function setup(
  options: { token?: () => string | null; refresh?: () => Promise<boolean>; onSessionEnded?: () => void } = {},
) {
  const sockets: FakeWebSocket[] = [];
  const received: RealtimeMessage[] = [];
  const connection = new RealtimeConnection({
    url: "wss://confer.test/api/v1/ws",
    token: options.token ?? (() => "access-1"),
    refresh: options.refresh ?? (async () => true),
    onSessionEnded: options.onSessionEnded,
    onMessage: (message) => received.push(message),
    createSocket: (url) => {
      const socket = new FakeWebSocket(url);
      sockets.push(socket);
      return socket;
    },
    backoff: (attempt) => attempt * 1000,
  });
  const last = () => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error("no socket yet");
    return socket;
  };
  return { connection, sockets, received, last };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("the real-time connection", () => {
  it("authenticates first, without a cursor on the very first connection", () => {
    const { connection, last } = setup();
    connection.start();
    last().open();
    expect(last().url).toBe("wss://confer.test/api/v1/ws");
    expect(last().sent).toEqual([{ type: "auth", token: "access-1" }]);
  });

  it("reconnects with backoff and resumes after the last seq it received", () => {
    const { connection, sockets, received, last } = setup();
    connection.start();
    last().open();
    last().push({ type: "ready", seq: -1, channels: ["user:u1"] });
    last().push({ seq: 41, channel: "user:u1", type: "notification", data: { id: "n1" } });
    last().push({ seq: 44, channel: "chat:c1", type: "chat.message", data: { id: "m1" } });

    last().drop();
    vi.advanceTimersByTime(999);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().sent).toEqual([{ type: "auth", token: "access-1", after: 44 }]);

    // The replay may overlap what was live: nothing is delivered twice, nothing older than the cursor either.
    last().push({ seq: 44, channel: "chat:c1", type: "chat.message", data: { id: "m1" } });
    last().push({ seq: 45, channel: "chat:c1", type: "chat.edited", data: { id: "m1" } });
    last().push({ type: "ready", seq: 45, channels: ["user:u1", "chat:c1"] });
    expect(received.map((m) => [m.type, m.seq, m.reconnected])).toEqual([
      ["ready", -1, false],
      ["notification", 41, undefined],
      ["chat.message", 44, undefined],
      ["chat.edited", 45, undefined],
      ["ready", 45, true],
    ]);
    expect(connection.cursor).toBe(45);
  });

  it("waits longer after each failed attempt, and starts over once connected", () => {
    const { connection, sockets, last } = setup();
    connection.start();
    last().drop();
    vi.advanceTimersByTime(1000);
    last().drop();
    vi.advanceTimersByTime(1999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    last().open();
    last().push({ type: "ready", seq: 7, channels: [] });
    last().drop();
    vi.advanceTimersByTime(1000);
    expect(sockets).toHaveLength(4);
    last().open();
    expect(last().sent).toEqual([{ type: "auth", token: "access-1", after: 7 }]);
  });

  it("refreshes the token when the server refuses it, then authenticates with the fresh one", async () => {
    let token = "expired";
    const refresh = vi.fn(async () => {
      token = "fresh";
      return true;
    });
    const { connection, sockets, last } = setup({ token: () => token, refresh });
    connection.start();
    last().open();
    last().drop(AUTH_REFUSED);
    await vi.advanceTimersByTimeAsync(1000);
    expect(refresh).toHaveBeenCalledOnce();
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().sent).toEqual([{ type: "auth", token: "fresh" }]);
  });

  it("gives up when the session is over", async () => {
    const { connection, sockets, last } = setup({ refresh: async () => false });
    connection.start();
    last().open();
    last().drop(AUTH_REFUSED);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
  });

  it("closes for good and forgets the cursor when stopped", () => {
    const { connection, sockets, last } = setup();
    connection.start();
    last().open();
    last().push({ seq: 3, type: "notification", data: {} });
    connection.stop();
    expect(last().closedWith).toBe(1000);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(connection.cursor).toBeNull();
  });

  it("pings while open so that proxies keep the connection", () => {
    const { connection, last } = setup();
    connection.start();
    last().open();
    last().push({ type: "ready", seq: -1, channels: [] });
    vi.advanceTimersByTime(25_000);
    expect(last().sent.at(-1)).toEqual({ type: "ping" });
  });

  it("sends a refreshed token on the open socket, once, so the server never closes it for expiry", () => {
    let token = "access-1";
    const { connection, received, last } = setup({ token: () => token });
    connection.start();
    last().open();
    last().push({ type: "ready", seq: -1, channels: [] });
    connection.reauthenticate(); // nothing new yet
    token = "access-2";
    connection.reauthenticate();
    connection.reauthenticate();
    last().push({ type: "authenticated", expires_at: 1_900_000_000 });
    expect(last().sent).toEqual([
      { type: "auth", token: "access-1" },
      { type: "auth", token: "access-2" },
    ]);
    expect(received.map((m) => m.type)).toEqual(["ready"]);
  });

  it("signs the tab out when the server says its session ended, and does not reconnect", async () => {
    const ended = vi.fn();
    const { connection, sockets, last } = setup({ onSessionEnded: ended });
    connection.start();
    last().open();
    last().push({ type: "ready", seq: -1, channels: [] });
    last().drop(SESSION_ENDED);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ended).toHaveBeenCalledOnce();
    expect(sockets).toHaveLength(1);
  });

  it("says nothing of an ended session when the tab signed out itself first", async () => {
    let token: string | null = "access-1";
    const ended = vi.fn();
    const { connection, sockets, last } = setup({ token: () => token, onSessionEnded: ended });
    connection.start();
    last().open();
    token = null; // signed out: the tokens go first, then the server ends the session
    last().drop(SESSION_ENDED);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ended).not.toHaveBeenCalled();
    expect(sockets).toHaveLength(1);
  });

  it("reconnects instead when its tokens already belong to a newer session (signed in again in another tab)", async () => {
    let token = "old-session";
    const ended = vi.fn();
    const { connection, sockets, last } = setup({ token: () => token, onSessionEnded: ended });
    connection.start();
    last().open();
    token = "new-session"; // arrived from another tab while this socket was closing
    last().drop(SESSION_ENDED);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ended).not.toHaveBeenCalled();
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().sent).toEqual([{ type: "auth", token: "new-session" }]);
  });

  it("uses wss on https pages and ws on http ones", () => {
    expect(socketUrl({ protocol: "https:", host: "confer.example" })).toBe("wss://confer.example/api/v1/ws");
    expect(socketUrl({ protocol: "http:", host: "localhost:5173" })).toBe("ws://localhost:5173/api/v1/ws");
  });
});
