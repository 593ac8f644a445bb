/**
 * A small typed client of Janus's WebSocket API: sessions, plugin handles, requests answered by events, trickle ICE
 * and keepalives. It covers what Confer's video room needs from the VideoRoom plugin and nothing more; janus.js would
 * bring a global, untyped API and its own adapter shims for browsers we do not support anyway.
 */

export type JanusBody = Record<string, unknown>;

export interface Jsep {
  type: RTCSdpType;
  sdp: string;
}

/** What a plugin said: its data (e.g. `{videoroom: "joined", ...}`) and an SDP when it sent one. */
export interface PluginEvent {
  data: JanusBody;
  jsep?: Jsep;
}

/** What Janus says about a handle outside a request: the plugin's own events, and the media layer's news. */
export type HandleNotice =
  | { kind: "event"; event: PluginEvent }
  | { kind: "webrtcup" }
  | { kind: "hangup"; reason: string }
  | { kind: "slowlink"; uplink: boolean; lost: number }
  | { kind: "media"; type: string; receiving: boolean }
  | { kind: "detached" };

export class JanusError extends Error {
  readonly code: number;

  constructor(code: number, reason: string) {
    super(reason);
    this.name = "JanusError";
    this.code = code;
  }
}

interface JanusMessage {
  janus: string;
  transaction?: string;
  session_id?: number;
  sender?: number;
  data?: { id?: number };
  plugindata?: { plugin: string; data: JanusBody };
  jsep?: Jsep;
  error?: { code: number; reason: string };
  reason?: string;
  uplink?: boolean;
  lost?: number;
  type?: string;
  receiving?: boolean;
}

interface Pending {
  resolve: (message: JanusMessage) => void;
  reject: (error: Error) => void;
  /** Requests to a plugin are acknowledged first and answered later by an event with the same transaction. */
  waitForEvent: boolean;
}

const KEEPALIVE_MS = 25_000;
const REQUEST_TIMEOUT_MS = 15_000;

function transactionId(): string {
  return crypto.randomUUID();
}

/** A plugin's error in an answer (VideoRoom puts `error_code` and `error` in its data) as a JanusError. */
export function pluginError(data: JanusBody): JanusError | null {
  if (typeof data.error === "string") {
    return new JanusError(typeof data.error_code === "number" ? data.error_code : 0, data.error);
  }
  return null;
}

export class JanusHandle {
  readonly id: number;
  private readonly session: JanusSession;
  private readonly listeners = new Set<(notice: HandleNotice) => void>();

  constructor(session: JanusSession, id: number) {
    this.session = session;
    this.id = id;
  }

  /** A request to the plugin; resolves with the plugin's answer (the event for asynchronous requests). */
  async request(body: JanusBody, jsep?: Jsep): Promise<PluginEvent> {
    const answer = await this.session.send({ janus: "message", handle_id: this.id, body, ...(jsep ? { jsep } : {}) }, true);
    const data = answer.plugindata?.data ?? {};
    const failed = pluginError(data);
    if (failed) throw failed;
    return { data, jsep: answer.jsep };
  }

  /** Hands a local ICE candidate to Janus; `null` says gathering is complete. */
  trickle(candidate: RTCIceCandidate | null): void {
    const payload = candidate === null ? { completed: true } : candidate.toJSON();
    this.session.post({ janus: "trickle", handle_id: this.id, candidate: payload });
  }

  onNotice(listener: (notice: HandleNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(notice: HandleNotice): void {
    this.listeners.forEach((listener) => listener(notice));
  }

  async detach(): Promise<void> {
    await this.session.send({ janus: "detach", handle_id: this.id }, false).catch(() => undefined);
    this.session.forget(this.id);
  }
}

/** One Janus session over one WebSocket. `closed` resolves when the socket goes (node lost, network change). */
export class JanusSession {
  private readonly socket: WebSocket;
  private readonly token: string;
  private readonly pending = new Map<string, Pending>();
  private readonly handles = new Map<number, JanusHandle>();
  private sessionId = 0;
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private closedListeners = new Set<() => void>();
  private ended = false;

  private constructor(socket: WebSocket, token: string) {
    this.socket = socket;
    this.token = token;
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", () => this.end(new Error("the media server connection closed")));
  }

  /** Opens the socket and creates the session with the signed token Confer gave. */
  static async connect(url: string, token: string): Promise<JanusSession> {
    const socket = new WebSocket(url, "janus-protocol");
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error("the media server could not be reached")), { once: true });
    });
    const session = new JanusSession(socket, token);
    const created = await session.send({ janus: "create" }, false);
    session.sessionId = created.data?.id ?? 0;
    session.keepalive = setInterval(() => session.post({ janus: "keepalive" }), KEEPALIVE_MS);
    return session;
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  onClosed(listener: () => void): () => void {
    this.closedListeners.add(listener);
    return () => this.closedListeners.delete(listener);
  }

  /** A handle on the VideoRoom plugin; `opaqueId` is the ticket that tells Confer whose handle it is. */
  async attach(plugin: string, opaqueId: string): Promise<JanusHandle> {
    const attached = await this.send({ janus: "attach", plugin, opaque_id: opaqueId }, false);
    const id = attached.data?.id;
    if (id === undefined) throw new JanusError(0, "Janus gave no handle id");
    const handle = new JanusHandle(this, id);
    this.handles.set(id, handle);
    return handle;
  }

  forget(handleId: number): void {
    this.handles.delete(handleId);
  }

  /** Sends a request and waits for its answer (or, for plugin messages, for the plugin's event). */
  send(message: JanusBody, waitForEvent: boolean): Promise<JanusMessage> {
    if (this.ended) return Promise.reject(new Error("the media server connection is closed"));
    const transaction = transactionId();
    return new Promise<JanusMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        reject(new Error(`the media server did not answer ${String(message.janus)}`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(transaction, {
        waitForEvent,
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.post(message, transaction);
    });
  }

  post(message: JanusBody, transaction = transactionId()): void {
    if (this.ended || this.socket.readyState !== WebSocket.OPEN) return;
    const envelope: JanusBody = { ...message, transaction, token: this.token };
    if (this.sessionId) envelope.session_id = this.sessionId;
    this.socket.send(JSON.stringify(envelope));
  }

  async destroy(): Promise<void> {
    if (this.ended) return;
    await this.send({ janus: "destroy" }, false).catch(() => undefined);
    this.end(new Error("the session ended"));
    this.socket.close();
  }

  private end(reason: Error): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.keepalive);
    this.pending.forEach((waiting) => waiting.reject(reason));
    this.pending.clear();
    this.closedListeners.forEach((listener) => listener());
  }

  private receive(raw: unknown): void {
    if (typeof raw !== "string") return;
    const message = JSON.parse(raw) as JanusMessage;
    if (message.janus === "ack") return;
    const waiting = message.transaction ? this.pending.get(message.transaction) : undefined;
    if (waiting && message.transaction) {
      if (message.janus === "error") {
        this.pending.delete(message.transaction);
        waiting.reject(new JanusError(message.error?.code ?? 0, message.error?.reason ?? "Janus error"));
        return;
      }
      // A plugin's synchronous answer comes as "success" with plugindata; an asynchronous one as "event".
      if (!waiting.waitForEvent || message.janus === "event" || message.plugindata) {
        this.pending.delete(message.transaction);
        waiting.resolve(message);
        return;
      }
    }
    this.dispatch(message);
  }

  private dispatch(message: JanusMessage): void {
    const handle = message.sender === undefined ? undefined : this.handles.get(message.sender);
    if (!handle) return;
    switch (message.janus) {
      case "event":
        handle.notify({ kind: "event", event: { data: message.plugindata?.data ?? {}, jsep: message.jsep } });
        break;
      case "webrtcup":
        handle.notify({ kind: "webrtcup" });
        break;
      case "hangup":
        handle.notify({ kind: "hangup", reason: message.reason ?? "" });
        break;
      case "slowlink":
        handle.notify({ kind: "slowlink", uplink: message.uplink ?? false, lost: message.lost ?? 0 });
        break;
      case "media":
        handle.notify({ kind: "media", type: message.type ?? "", receiving: message.receiving ?? false });
        break;
      case "detached":
        handle.notify({ kind: "detached" });
        break;
    }
  }
}
