/**
 * One WebSocket to Confer's real-time endpoint (`/api/v1/ws`, platform/confer/core/realtime.py), kept open for as long
 * as someone is signed in.
 *
 * The protocol: the first frame the client sends is `{"type":"auth","token":<access token>,"after":<last seq>}`
 * (`after` omitted on the very first connection). The server then replays what this person's channels carried after
 * `after` (still in its bounded history), sends `{"type":"ready","seq":<last seq sent, -1 if none>,"channels":[…]}`,
 * and from then on every message as `{"seq","channel","type","data"}`. `seq` is one counter across all channels, so
 * the highest seq seen is the single cursor to resume from.
 *
 * The socket lives longer than an access token: whenever the tokens change (refreshed by this tab or another), the
 * client sends `{"type":"auth","token":<new access token>}` on the open socket (answered `{"type":"authenticated"}`),
 * so the server never closes it for expiry. The server's close codes: 4001 the session ended (signed out, revoked,
 * password reset or changed elsewhere: this tab signs out, unless its tokens already belong to a newer session);
 * 4401 the token was refused or expired (refresh, then reconnect); 4429 too many sockets or messages, 1008/1009 a
 * frame it refused (reconnect with backoff).
 */

/**
 * A message from the server. `seq` (global order) and `channel` (`user:<id>`, `booking:<id>`, `chat:<id>`,
 * `class:<id>`) are on every published message; `type` names it (`notification`, `notifications.read`,
 * `booking.updated`, `chat.message`, `chat.edited`, `chat.deleted`, `chat.read`, `chat.typing`, …) and `data` is its
 * payload. The server's own `ready` frame has `seq` and `channels`; this client adds `reconnected: true` to a `ready`
 * that follows a reconnection (listeners refetch what a gap in history may have lost).
 */
export type RealtimeMessage = { seq?: number; channel?: string; type: string; data?: unknown; [key: string]: unknown };

/** The part of the browser's WebSocket this client uses (a fake one in tests). */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type ConnectionStatus = "idle" | "connecting" | "open" | "waiting";

export interface ConnectionOptions {
  url: string;
  /** The current access token, or null when signed out. */
  token: () => string | null;
  /** Called after the server refused the token (4401): refresh it; false means the session is over. */
  refresh: () => Promise<boolean>;
  /** Called when the server says the session ended (4001): sign this tab out. */
  onSessionEnded?: () => void;
  onMessage: (message: RealtimeMessage) => void;
  onStatus?: (status: ConnectionStatus) => void;
  createSocket?: (url: string) => SocketLike;
  /** Milliseconds to wait before the attempt-th reconnection (1, 2, …). */
  backoff?: (attempt: number) => number;
  pingEveryMs?: number;
}

export const SESSION_ENDED = 4001;
export const AUTH_REFUSED = 4401;
const OPEN = 1;

/** 0.5 s, 1 s, 2 s … up to 30 s, with up to 30 % jitter so a restarted server is not hit by every tab at once. */
export function defaultBackoff(attempt: number): number {
  const base = Math.min(30_000, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 + Math.random() * 0.3));
}

export function socketUrl(location: Pick<Location, "protocol" | "host">): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/api/v1/ws`;
}

export class RealtimeConnection {
  private socket: SocketLike | null = null;
  /** The access token the open socket last authenticated with. */
  private authenticatedWith: string | null = null;
  private lastSeq: number | null = null;
  private attempt = 0;
  private everReady = false;
  private running = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private readonly backoff: (attempt: number) => number;
  private readonly createSocket: (url: string) => SocketLike;

  constructor(private readonly options: ConnectionOptions) {
    this.backoff = options.backoff ?? defaultBackoff;
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
  }

  /** The highest `seq` received: what the next connection resumes after. */
  get cursor(): number | null {
    return this.lastSeq;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  /** Close and forget the cursor (signing out: the next person starts afresh). */
  stop(): void {
    this.running = false;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(1000, "signed out");
    }
    this.lastSeq = null;
    this.attempt = 0;
    this.everReady = false;
    this.options.onStatus?.("idle");
  }

  /** Connect now instead of waiting for the backoff (the browser is back online, a fresh token arrived). */
  retryNow(): void {
    if (!this.running || this.socket) return;
    this.clearTimers();
    this.connect();
  }

  /** Send the current access token on the open socket if it is not the one the socket holds (a refresh happened). */
  reauthenticate(): void {
    const token = this.options.token();
    if (!token || !this.socket || this.socket.readyState !== OPEN || token === this.authenticatedWith) return;
    this.authenticatedWith = token;
    this.socket.send(JSON.stringify({ type: "auth", token }));
  }

  private connect(): void {
    const token = this.options.token();
    if (!token) {
      this.options.onStatus?.("idle");
      return; // signed out; the provider starts again on sign-in
    }
    this.options.onStatus?.("connecting");
    const socket = this.createSocket(this.options.url);
    this.socket = socket;
    socket.onopen = () => {
      // The token is read again here: it may have been refreshed while the socket was opening.
      this.authenticatedWith = this.options.token() ?? token;
      const hello: Record<string, unknown> = { type: "auth", token: this.authenticatedWith };
      if (this.lastSeq !== null) hello.after = this.lastSeq;
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onerror = () => undefined; // a close event always follows; it decides what to do
    socket.onclose = (event) => this.closed(socket, event.code);
  }

  private receive(raw: unknown): void {
    if (typeof raw !== "string") return;
    let message: RealtimeMessage;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== "object" || parsed === null || typeof (parsed as { type?: unknown }).type !== "string") return;
      message = parsed as RealtimeMessage;
    } catch {
      return;
    }
    if (message.type === "pong" || message.type === "authenticated") return;
    const seq = typeof message.seq === "number" ? message.seq : null;
    if (message.type === "ready") {
      if (seq !== null && seq >= 0 && (this.lastSeq === null || seq > this.lastSeq)) this.lastSeq = seq;
      const reconnected = this.everReady;
      this.everReady = true;
      this.attempt = 0;
      this.startPing();
      this.options.onStatus?.("open");
      this.options.onMessage({ ...message, reconnected });
      return;
    }
    if (seq !== null) {
      if (this.lastSeq !== null && seq <= this.lastSeq) return; // seen already (replay overlapping live)
      this.lastSeq = seq;
    }
    this.options.onMessage(message);
  }

  private closed(socket: SocketLike, code: number): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.stopPing();
    if (!this.running) return;
    this.options.onStatus?.("waiting");
    this.attempt += 1;
    const delay = this.backoff(this.attempt);
    if (this.options.token() === null) {
      this.stop(); // signed out in this tab or another: nothing to reconnect for
      return;
    }
    if (code === SESSION_ENDED && this.options.token() === this.authenticatedWith) {
      this.stop();
      this.options.onSessionEnded?.();
      return;
    }
    if (code === AUTH_REFUSED) {
      // The access token expired (or was refused): have the API client refresh it, then come back with the new one.
      void this.options.refresh().then((alive) => {
        if (!alive) {
          this.stop();
          return;
        }
        this.schedule(delay);
      });
      return;
    }
    this.schedule(delay);
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running && !this.socket) this.connect();
    }, delay);
  }

  private startPing(): void {
    this.stopPing();
    const every = this.options.pingEveryMs ?? 25_000;
    // Proxies close connections that stay silent; a ping every 25 s keeps this one open.
    this.pingTimer = setInterval(() => {
      if (this.socket?.readyState === OPEN) this.socket.send('{"type":"ping"}');
    }, every);
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopPing();
  }
}
