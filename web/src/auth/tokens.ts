/** Access and refresh tokens: kept in memory and in localStorage, attached to API calls, refreshed once on a 401. */

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

interface TokenPair {
  access_token: string;
  refresh_token: string;
}

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
    this.set({ accessToken: pair.access_token, refreshToken: pair.refresh_token });
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
      return { accessToken: value.accessToken, refreshToken: value.refreshToken };
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

  return async function authFetch(input: Request): Promise<Response> {
    const tokens = store.get();
    const retry = tokens ? input.clone() : null;
    const response = await send(withToken(input, tokens));
    if (response.status !== 401 || !tokens || !retry || input.url === refreshUrl) return response;
    refreshing ??= refresh(tokens).finally(() => {
      refreshing = null;
    });
    if (!(await refreshing)) return response;
    return send(withToken(retry, store.get()));
  };
}
