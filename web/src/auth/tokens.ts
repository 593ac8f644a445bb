/** Access and refresh tokens: kept in memory and in localStorage, shared by every tab of the browser, attached to API
 * calls, refreshed shortly before the access token expires, and once on a 401 (the server's clock has the last word).
 *
 * A refresh token is single-use (each refresh rotates it), and every tab holds the same one. So a refresh is
 * single-flight across tabs: it runs under a Web Lock (`navigator.locks`); the tab that refreshes records the rotation
 * (spent token -> its successor) in IndexedDB before it lets the lock go, and tells the other tabs through a
 * BroadcastChannel. A tab that gets the lock next finds the rotation of the token it holds and takes the result instead
 * of refreshing again. (IndexedDB, not localStorage: Chromium caches localStorage per renderer process, so another tab
 * may read a stale copy for a moment; a committed IndexedDB transaction is seen by every later one.) Without Web Locks
 * or IndexedDB each tab refreshes on its own, and the server's grace window answers racing tabs with one successor. */

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (ms since the epoch, by this browser's clock). */
  expiresAt?: number;
}

interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in?: number;
}

/** Refresh this long before the access token expires, so a request never goes out with a token about to lapse. */
export const REFRESH_EARLY_MS = 30_000;
export const REFRESH_LOCK = "confer.refresh";

type Listener = (tokens: Tokens | null) => void;

const STORAGE_KEY = "confer.tokens";
const CHANNEL_NAME = "confer.tokens";

/** The part of a BroadcastChannel the store uses (a fake one in tests). */
export interface TokenChannel {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

/** The part of the Web Locks API the refresh uses. */
export interface Locks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The last rotation any tab made: which refresh token was spent, and the tokens it was rotated into. */
export interface Rotation {
  spent: string;
  tokens: Tokens;
}

/** Where rotations are recorded for the other tabs, read and written under the refresh lock. */
export interface RotationLedger {
  last(): Promise<Rotation | null>;
  record(rotation: Rotation): Promise<void>;
}

export class TokenStore {
  private tokens: Tokens | null;
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly storage: Storage | null = safeLocalStorage(),
    private readonly channel: TokenChannel | null = browserChannel(),
  ) {
    this.tokens = parseTokens(readStored(storage));
    if (channel) channel.onmessage = (event) => this.adopt(parseTokens(event.data));
  }

  get(): Tokens | null {
    return this.tokens;
  }

  set(tokens: Tokens | null): void {
    this.adopt(tokens);
    try {
      if (tokens) this.storage?.setItem(STORAGE_KEY, JSON.stringify(tokens));
      else this.storage?.removeItem(STORAGE_KEY);
    } catch {
      // Private browsing may refuse storage; the tokens still live in memory for this tab.
    }
    this.channel?.postMessage(tokens);
  }

  setPair(pair: TokenPair): void {
    const expiresAt = pair.expires_in === undefined ? {} : { expiresAt: Date.now() + pair.expires_in * 1000 };
    this.set({ accessToken: pair.access_token, refreshToken: pair.refresh_token, ...expiresAt });
  }

  /** The tokens as stored now, which another tab may have refreshed since this one last heard (read under the lock). */
  reload(): Tokens | null {
    if (this.storage) this.adopt(parseTokens(readStored(this.storage)));
    return this.tokens;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Take tokens another tab set (or found in storage), without telling the other tabs again. */
  private adopt(tokens: Tokens | null): void {
    if (sameTokens(tokens, this.tokens)) return;
    this.tokens = tokens;
    for (const listener of this.listeners) listener(tokens);
  }
}

function sameTokens(a: Tokens | null, b: Tokens | null): boolean {
  return a?.accessToken === b?.accessToken && a?.refreshToken === b?.refreshToken && a?.expiresAt === b?.expiresAt;
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

function browserChannel(): TokenChannel | null {
  return typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL_NAME);
}

function browserLocks(): Locks | null {
  const locks = typeof navigator === "undefined" ? undefined : (navigator as { locks?: Locks }).locks;
  return locks ?? null;
}

const LEDGER_DATABASE = "confer";
const LEDGER_STORE = "rotations";

/** The rotation ledger in IndexedDB (one record); null where IndexedDB is missing. */
export function indexedDbLedger(): RotationLedger | null {
  if (typeof indexedDB === "undefined") return null;
  let database: Promise<IDBDatabase> | null = null;
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(LEDGER_DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(LEDGER_STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("IndexedDB refused"));
    });
  async function run(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest): Promise<unknown> {
    database ??= open();
    const transaction = (await database).transaction(LEDGER_STORE, mode);
    const request = work(transaction.objectStore(LEDGER_STORE));
    return new Promise((resolve, reject) => {
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = transaction.onabort = () => reject(transaction.error ?? new Error("IndexedDB failed"));
    });
  }
  return {
    last: async () => parseRotation(await run("readonly", (store) => store.get("last"))),
    record: async (rotation) => void (await run("readwrite", (store) => store.put(rotation, "last"))),
  };
}

function parseRotation(value: unknown): Rotation | null {
  if (typeof value !== "object" || value === null || !("spent" in value) || typeof value.spent !== "string") return null;
  const tokens = "tokens" in value ? parseTokens(value.tokens) : null;
  return tokens ? { spent: value.spent, tokens } : null;
}

function readStored(storage: Storage | null): unknown {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null; // A corrupt entry is the same as none.
  }
}

function parseTokens(value: unknown): Tokens | null {
  if (
    typeof value === "object" &&
    value !== null &&
    "accessToken" in value &&
    "refreshToken" in value &&
    typeof value.accessToken === "string" &&
    typeof value.refreshToken === "string"
  ) {
    const expiresAt = "expiresAt" in value && typeof value.expiresAt === "number" ? { expiresAt: value.expiresAt } : {};
    return { accessToken: value.accessToken, refreshToken: value.refreshToken, ...expiresAt };
  }
  return null;
}

export interface AuthFetchOptions {
  store: TokenStore;
  refreshUrl: string;
  fetch?: (request: Request) => Promise<Response>;
  /** Web Locks (`navigator.locks` by default); null: refresh within this tab only. */
  locks?: Locks | null;
  /** Where rotations are recorded for the other tabs (IndexedDB by default). */
  ledger?: RotationLedger | null;
  /** Called when a refresh is refused: the session is over and the user must sign in again. */
  onSessionEnded?: () => void;
}

export interface AuthFetch {
  (input: Request): Promise<Response>;
  /** Refresh now if the access token expires within REFRESH_EARLY_MS (or has); false if the session is over. */
  ensureFresh(): Promise<boolean>;
  /** Refresh now (the server refused the token); false if the session is over. */
  refresh(): Promise<boolean>;
}

/**
 * A fetch that sends the access token, and on a 401 refreshes the tokens once and repeats the request once.
 * Concurrent refreshes share one, in this tab and across tabs, since a refresh token is single-use (rotation).
 */
export function createAuthFetch(options: AuthFetchOptions): AuthFetch {
  const { store, refreshUrl, fetch: baseFetch, onSessionEnded } = options;
  const send = baseFetch ?? ((input: Request) => globalThis.fetch(input));
  const lockManager = options.locks === undefined ? browserLocks() : options.locks;
  const ledger = options.ledger === undefined ? indexedDbLedger() : options.ledger;
  let refreshing: Promise<boolean> | null = null;

  /** The rotation another tab made of `used`, if any (a broken IndexedDB is as good as none). */
  async function rotatedElsewhere(used: Tokens): Promise<Tokens | null> {
    const last = await ledger?.last().catch(() => null);
    return last?.spent === used.refreshToken ? last.tokens : null;
  }

  async function refresh(used: Tokens): Promise<boolean> {
    const current = store.reload();
    if (!current) return false;
    if (current.refreshToken !== used.refreshToken) return true; // another request or tab already refreshed
    const rotated = await rotatedElsewhere(used);
    if (rotated) {
      store.set(rotated); // what this tab's copy of localStorage may not show yet
      return true;
    }
    const response = await send(
      new Request(refreshUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ refresh_token: current.refreshToken }),
      }),
    ).catch(() => null);
    if (response?.ok) {
      store.setPair((await response.json()) as TokenPair);
      const fresh = store.get();
      // Recorded before the lock goes: the next tab to hold it finds this rotation.
      if (fresh) await ledger?.record({ spent: current.refreshToken, tokens: fresh }).catch(() => undefined);
      return true;
    }
    if (response && (response.status === 400 || response.status === 401 || response.status === 403)) {
      store.set(null);
      onSessionEnded?.();
    }
    return false;
  }

  function withToken(request: Request, tokens: Tokens | null): Request {
    const headers = new Headers(request.headers);
    if (tokens) headers.set("Authorization", `Bearer ${tokens.accessToken}`);
    return new Request(request, { headers });
  }

  function sharedRefresh(used: Tokens): Promise<boolean> {
    refreshing ??= (lockManager ? lockManager.request(REFRESH_LOCK, () => refresh(used)) : refresh(used)).finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  function expiresSoon(tokens: Tokens): boolean {
    return tokens.expiresAt !== undefined && Date.now() >= tokens.expiresAt - REFRESH_EARLY_MS;
  }

  const authFetch = async function authFetch(input: Request): Promise<Response> {
    let tokens = store.get();
    if (tokens && expiresSoon(tokens) && input.url !== refreshUrl) {
      await sharedRefresh(tokens);
      tokens = store.get();
    }
    const retry = tokens ? input.clone() : null;
    const response = await send(withToken(input, tokens));
    if (response.status !== 401 || !tokens || !retry || input.url === refreshUrl) return response;
    if (!(await sharedRefresh(tokens))) return response;
    return send(withToken(retry, store.get()));
  };
  return Object.assign(authFetch, {
    ensureFresh: async () => {
      const tokens = store.get();
      if (!tokens) return false;
      return expiresSoon(tokens) ? sharedRefresh(tokens) : true;
    },
    refresh: async () => {
      const tokens = store.get();
      return tokens ? sharedRefresh(tokens) : false;
    },
  });
}

/**
 * Keep the tokens fresh while the tab is open, even when it makes no request (its socket still needs a valid token):
 * a refresh is due REFRESH_EARLY_MS before the access token expires. Every tab schedules one; the lock and the
 * re-read make the first do the work and the others find it done. Returns what stops it.
 */
export function keepFresh(store: TokenStore, ensureFresh: () => Promise<boolean>): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const schedule = (tokens: Tokens | null) => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (tokens?.expiresAt === undefined) return;
    const due = Math.max(0, tokens.expiresAt - REFRESH_EARLY_MS - Date.now());
    timer = setTimeout(() => void ensureFresh(), due);
  };
  schedule(store.get());
  const unsubscribe = store.subscribe(schedule);
  return () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
  };
}
