/** Access and refresh tokens: kept in memory and in localStorage, attached to API calls, refreshed shortly before
 * the access token expires, and once on a 401 (the server's clock has the last word). */

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
const REFRESH_EARLY_MS = 30_000;

type Listener = (tokens: Tokens | null) => void;

const STORAGE_KEY = "confer.tokens";

export class TokenStore {
  private tokens: Tokens | null;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Storage | null = safeLocalStorage()) {
    this.tokens = readStored(storage);
  }

  get(): Tokens | null {
    return this.tokens;
  }

  set(tokens: Tokens | null): void {
    this.tokens = tokens;
    try {
      if (tokens) this.storage?.setItem(STORAGE_KEY, JSON.stringify(tokens));
      else this.storage?.removeItem(STORAGE_KEY);
    } catch {
      // Private browsing may refuse storage; the tokens still live in memory for this tab.
    }
    for (const listener of this.listeners) listener(tokens);
  }

  setPair(pair: TokenPair): void {
    const expiresAt = pair.expires_in === undefined ? {} : { expiresAt: Date.now() + pair.expires_in * 1000 };
    this.set({ accessToken: pair.access_token, refreshToken: pair.refresh_token, ...expiresAt });
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

function readStored(storage: Storage | null): Tokens | null {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return null;
    const value: unknown = JSON.parse(raw);
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
  } catch {
    // A corrupt entry is the same as none.
  }
  return null;
}

export interface AuthFetchOptions {
  store: TokenStore;
  refreshUrl: string;
  fetch?: (request: Request) => Promise<Response>;
  /** Called when a refresh is refused: the session is over and the user must sign in again. */
  onSessionEnded?: () => void;
}

/**
 * A fetch that sends the access token, and on a 401 refreshes the tokens once and repeats the request once.
 * Concurrent 401s share one refresh, since a refresh token is single-use (rotation).
 */
export function createAuthFetch({ store, refreshUrl, fetch: baseFetch, onSessionEnded }: AuthFetchOptions) {
  const send = baseFetch ?? ((input: Request) => globalThis.fetch(input));
  let refreshing: Promise<boolean> | null = null;

  async function refresh(used: Tokens): Promise<boolean> {
    const current = store.get();
    if (!current) return false;
    if (current.accessToken !== used.accessToken) return true; // another request already refreshed
    const response = await send(
      new Request(refreshUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ refresh_token: current.refreshToken }),
      }),
    ).catch(() => null);
    if (response?.ok) {
      store.setPair((await response.json()) as TokenPair);
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
    refreshing ??= refresh(used).finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  return async function authFetch(input: Request): Promise<Response> {
    let tokens = store.get();
    if (tokens?.expiresAt !== undefined && Date.now() >= tokens.expiresAt - REFRESH_EARLY_MS && input.url !== refreshUrl) {
      await sharedRefresh(tokens);
      tokens = store.get();
    }
    const retry = tokens ? input.clone() : null;
    const response = await send(withToken(input, tokens));
    if (response.status !== 401 || !tokens || !retry || input.url === refreshUrl) return response;
    if (!(await sharedRefresh(tokens))) return response;
    return send(withToken(retry, store.get()));
  };
}
