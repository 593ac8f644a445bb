import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { JanusError, JanusSession, type HandleNotice } from "./janus";

type Sent = Record<string, unknown> & { janus: string; transaction: string };

/** A WebSocket standing in for Janus: it records what the client sends and lets the test answer. */
class FakeJanusSocket extends EventTarget {
  static OPEN = 1;
  static last: FakeJanusSocket | null = null;
  readonly url: string;
  readonly protocol: string;
  readyState = 0;
  sent: Sent[] = [];

  constructor(url: string, protocol: string) {
    super();
    this.url = url;
    this.protocol = protocol;
    FakeJanusSocket.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
    });
  }

  send(raw: string): void {
    const message = JSON.parse(raw) as Sent;
    this.sent.push(message);
    if (message.janus === "create") this.answer({ janus: "success", transaction: message.transaction, data: { id: 77 } });
    if (message.janus === "attach") this.answer({ janus: "success", transaction: message.transaction, data: { id: 900 } });
  }

  answer(message: Record<string, unknown>): void {
    queueMicrotask(() => this.dispatchEvent(new MessageEvent("message", { data: JSON.stringify(message) })));
  }

  close(): void {
    this.readyState = 3;
    this.dispatchEvent(new Event("close"));
  }

  lastSent(janus: string): Sent {
    const found = [...this.sent].reverse().find((message) => message.janus === janus);
    if (!found) throw new Error(`nothing sent as ${janus}`);
    return found;
  }
}

async function connected(): Promise<{ session: JanusSession; socket: FakeJanusSocket }> {
  const session = await JanusSession.connect("ws://node.test:8188", "signed-token");
  const socket = FakeJanusSocket.last;
  if (!socket) throw new Error("no socket");
  return { session, socket };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
}

beforeEach(() => vi.stubGlobal("WebSocket", FakeJanusSocket));
afterEach(() => vi.unstubAllGlobals());

describe("the Janus client", () => {
  it("creates its session with the signed token over the janus-protocol", async () => {
    const { socket } = await connected();
    expect(socket.protocol).toBe("janus-protocol");
    expect(socket.lastSent("create")).toMatchObject({ token: "signed-token" });
  });

  it("attaches handles with the ticket as opaque id, inside the session", async () => {
    const { session, socket } = await connected();
    const handle = await session.attach("janus.plugin.videoroom", "ticket-1");
    expect(handle.id).toBe(900);
    expect(socket.lastSent("attach")).toMatchObject({ session_id: 77, opaque_id: "ticket-1", token: "signed-token" });
  });

  it("answers a request with the plugin's event after the ack, SDP included", async () => {
    const { session, socket } = await connected();
    const handle = await session.attach("janus.plugin.videoroom", "t");
    const answered = handle.request({ request: "configure", audio: true }, { type: "offer", sdp: "v=0" });
    const sent = socket.lastSent("message");
    expect(sent).toMatchObject({ handle_id: 900, body: { request: "configure" }, jsep: { type: "offer" } });
    socket.answer({ janus: "ack", transaction: sent.transaction });
    socket.answer({
      janus: "event",
      transaction: sent.transaction,
      sender: 900,
      plugindata: { plugin: "janus.plugin.videoroom", data: { videoroom: "event", configured: "ok" } },
      jsep: { type: "answer", sdp: "v=0 answer" },
    });
    await expect(answered).resolves.toEqual({
      data: { videoroom: "event", configured: "ok" },
      jsep: { type: "answer", sdp: "v=0 answer" },
    });
  });

  it("turns a plugin's error into a JanusError with its code", async () => {
    const { session, socket } = await connected();
    const handle = await session.attach("janus.plugin.videoroom", "t");
    const refused = handle.request({ request: "join" });
    const sent = socket.lastSent("message");
    socket.answer({
      janus: "event",
      transaction: sent.transaction,
      plugindata: { plugin: "janus.plugin.videoroom", data: { videoroom: "event", error_code: 433, error: "Unauthorized" } },
    });
    await expect(refused).rejects.toEqual(new JanusError(433, "Unauthorized"));
  });

  it("hands the room's own news to the handle it is about", async () => {
    const { session, socket } = await connected();
    const handle = await session.attach("janus.plugin.videoroom", "t");
    const notices: HandleNotice[] = [];
    handle.onNotice((notice) => notices.push(notice));
    socket.answer({ janus: "event", sender: 900, plugindata: { plugin: "x", data: { publishers: [{ id: 5 }] } } });
    socket.answer({ janus: "webrtcup", sender: 900 });
    socket.answer({ janus: "slowlink", sender: 900, uplink: true, lost: 12 });
    socket.answer({ janus: "event", sender: 12345, plugindata: { plugin: "x", data: {} } });
    await settle();
    expect(notices).toEqual([
      { kind: "event", event: { data: { publishers: [{ id: 5 }] }, jsep: undefined } },
      { kind: "webrtcup" },
      { kind: "slowlink", uplink: true, lost: 12 },
    ]);
  });

  it("fails what is pending and says so when the connection goes", async () => {
    const { session, socket } = await connected();
    const handle = await session.attach("janus.plugin.videoroom", "t");
    const closed = vi.fn();
    session.onClosed(closed);
    const pending = handle.request({ request: "join" });
    socket.close();
    await expect(pending).rejects.toThrow("closed");
    expect(closed).toHaveBeenCalledOnce();
    expect(session.isOpen).toBe(false);
  });
});
