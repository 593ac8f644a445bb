import { describe, expect, it, vi } from "vitest";
import {
  createAuthFetch,
  keepFresh,
  REFRESH_EARLY_MS,
  TokenStore,
  type Locks,
  type Rotation,
  type RotationLedger,
  type TokenChannel,
} from "./tokens";

const REFRESH = "http://confer.test/api/v1/auth/refresh";

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

/** A fake Confer: the access token "fresh" is valid, "stale" is not; refresh turns "r1" into "fresh"/"r2" once. */
function fakeServer(options: { refreshWorks?: boolean } = {}) {
  const seen: { url: string; authorization: string | null; body: string }[] = [];
  const fetch = vi.fn(async (request: Request) => {
    const body = await request.text();
    seen.push({ url: request.url, authorization: request.headers.get("Authorization"), body });
    if (request.url === REFRESH) {
      const { refresh_token } = JSON.parse(body) as { refresh_token: string };
      if (options.refreshWorks !== false && refresh_token === "r1") {
        return Response.json({ access_token: "fresh", refresh_token: "r2", expires_in: 900 });
      }
      return Response.json({ type: "x", title: "Unauthorized", status: 401 }, { status: 401 });
    }
    if (request.headers.get("Authorization") === "Bearer fresh") return Response.json({ ok: true, echoed: body });
    return Response.json({ type: "x", title: "Unauthorized", status: 401 }, { status: 401 });
  });
  return { fetch, seen };
}

function setup(refreshWorks = true) {
  const storage = memoryStorage();
  const store = new TokenStore(storage, null);
  store.set({ accessToken: "stale", refreshToken: "r1" });
  const server = fakeServer({ refreshWorks });
  const ended = vi.fn();
  const authFetch = createAuthFetch({ store, refreshUrl: REFRESH, fetch: server.fetch, onSessionEnded: ended });
  return { store, storage, server, ended, authFetch };
}

describe("the authenticated fetch", () => {
  it("refreshes before the access token expires, so no request is refused for it", async () => {
    const { store, server, authFetch } = setup();
    store.set({ accessToken: "stale", refreshToken: "r1", expiresAt: Date.now() + 10_000 });

    const response = await authFetch(new Request("http://confer.test/api/v1/me"));

    expect(response.status).toBe(200);
    expect(server.seen.map((s) => [s.url.replace("http://confer.test", ""), s.authorization])).toEqual([
      ["/api/v1/auth/refresh", null],
      ["/api/v1/me", "Bearer fresh"],
    ]);
    expect(store.get()?.expiresAt).toBeGreaterThan(Date.now() + 800_000);
  });

  it("keeps using a token that is far from expiring", async () => {
    const { store, server, authFetch } = setup();
    store.set({ accessToken: "fresh", refreshToken: "r1", expiresAt: Date.now() + 600_000 });

    expect((await authFetch(new Request("http://confer.test/api/v1/me"))).status).toBe(200);
    expect(server.seen.map((s) => s.url)).toEqual(["http://confer.test/api/v1/me"]);
  });

  it("refreshes an expired access token once and repeats the request with its body", async () => {
    const { store, storage, server, authFetch } = setup();

    const response = await authFetch(new Request("http://confer.test/api/v1/bookings", { method: "POST", body: '{"a":1}' }));

    expect(await response.json()).toEqual({ ok: true, echoed: '{"a":1}' });
    expect(server.seen.map((s) => [s.url.replace("http://confer.test", ""), s.authorization])).toEqual([
      ["/api/v1/bookings", "Bearer stale"],
      ["/api/v1/auth/refresh", null],
      ["/api/v1/bookings", "Bearer fresh"],
    ]);
    expect(store.get()).toMatchObject({ accessToken: "fresh", refreshToken: "r2" });
    expect(JSON.parse(storage.getItem("confer.tokens") ?? "null")).toEqual(store.get());
  });

  it("shares one refresh between requests that fail together, since a refresh token is used once", async () => {
    const { server, authFetch } = setup();

    const answers = await Promise.all([1, 2, 3].map((n) => authFetch(new Request(`http://confer.test/api/v1/me?n=${n}`))));

    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(server.seen.filter((s) => s.url === REFRESH)).toHaveLength(1);
  });

  it("ends the session when the refresh is refused, and does not loop", async () => {
    const { store, server, ended, authFetch } = setup(false);

    const response = await authFetch(new Request("http://confer.test/api/v1/me"));

    expect(response.status).toBe(401);
    expect(server.seen).toHaveLength(2);
    expect(store.get()).toBeNull();
    expect(ended).toHaveBeenCalledOnce();
  });

  it("sends anonymous requests without a token and never refreshes them", async () => {
    const store = new TokenStore(memoryStorage(), null);
    const server = fakeServer();
    const authFetch = createAuthFetch({ store, refreshUrl: REFRESH, fetch: server.fetch });

    const response = await authFetch(new Request("http://confer.test/api/v1/me"));

    expect(response.status).toBe(401);
    expect(server.seen).toEqual([{ url: "http://confer.test/api/v1/me", authorization: null, body: "" }]);
  });

  it("reads the tokens a previous visit left in storage", () => {
    const storage = memoryStorage();
    new TokenStore(storage, null).set({ accessToken: "a", refreshToken: "r" });
    expect(new TokenStore(storage, null).get()).toEqual({ accessToken: "a", refreshToken: "r" });
  });
});

/** One browser: its tabs share localStorage, a BroadcastChannel and Web Locks (exclusive, in request order). */
function browser() {
  const storage = memoryStorage();
  const channels: TokenChannel[] = [];
  let tail: Promise<unknown> = Promise.resolve();
  const locks: Locks = {
    request: <T>(_name: string, callback: () => Promise<T>) => {
      const run = tail.then(callback);
      tail = run.catch(() => undefined);
      return run;
    },
  };
  function channel(): TokenChannel {
    const own: TokenChannel = {
      onmessage: null,
      postMessage: (message) => {
        for (const other of channels) {
          if (other !== own) queueMicrotask(() => other.onmessage?.(new MessageEvent("message", { data: message })));
        }
      },
    };
    channels.push(own);
    return own;
  }
  return { storage, locks, channel };
}

describe("tabs of one browser", () => {
  it("refresh once between them when their token expires together; the others take the result", async () => {
    const shared = browser();
    const server = fakeServer(); // refuses a second use of r1, as the server would after its grace window
    const tabs = [1, 2, 3].map(() => {
      const store = new TokenStore(shared.storage, shared.channel());
      return { store, fetch: createAuthFetch({ store, refreshUrl: REFRESH, fetch: server.fetch, locks: shared.locks }) };
    });
    tabs.at(0)?.store.set({ accessToken: "stale", refreshToken: "r1", expiresAt: Date.now() - 1 });
    await Promise.resolve(); // the other tabs hear of the sign-in

    const answers = await Promise.all(tabs.map((tab) => tab.fetch(new Request("http://confer.test/api/v1/me"))));

    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(server.seen.filter((s) => s.url === REFRESH)).toHaveLength(1);
    expect(tabs.map((tab) => tab.store.get()?.refreshToken)).toEqual(["r2", "r2", "r2"]);
  });

  it("take the rotation another tab recorded even when their copy of localStorage is stale", async () => {
    // Chromium caches localStorage per renderer process: here each tab has its own copy and hears nothing.
    const shared = browser();
    let last: Rotation | null = null;
    const ledger: RotationLedger = {
      last: async () => last,
      record: async (rotation) => void (last = rotation),
    };
    const server = fakeServer();
    const tabs = [1, 2].map(() => {
      const store = new TokenStore(memoryStorage(), null);
      store.set({ accessToken: "stale", refreshToken: "r1", expiresAt: Date.now() - 1 });
      const fetch = createAuthFetch({ store, refreshUrl: REFRESH, fetch: server.fetch, locks: shared.locks, ledger });
      return { store, fetch };
    });

    const answers = await Promise.all(tabs.map((tab) => tab.fetch(new Request("http://confer.test/api/v1/me"))));

    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(server.seen.filter((s) => s.url === REFRESH)).toHaveLength(1);
    expect(tabs.map((tab) => tab.store.get()?.refreshToken)).toEqual(["r2", "r2"]);
  });

  it("hear each other's new tokens and sign-out", async () => {
    const shared = browser();
    const one = new TokenStore(shared.storage, shared.channel());
    const other = new TokenStore(shared.storage, shared.channel());
    const heard = vi.fn();
    other.subscribe(heard);

    one.set({ accessToken: "a2", refreshToken: "r2" });
    await Promise.resolve();
    expect(other.get()).toEqual({ accessToken: "a2", refreshToken: "r2" });
    one.set(null);
    await Promise.resolve();
    expect(other.get()).toBeNull();
    expect(heard.mock.calls).toEqual([[{ accessToken: "a2", refreshToken: "r2" }], [null]]);
  });

  it("keep the tokens fresh while open, just before the access token expires", async () => {
    vi.useFakeTimers();
    try {
      const store = new TokenStore(memoryStorage(), null);
      const server = fakeServer();
      const authFetch = createAuthFetch({ store, refreshUrl: REFRESH, fetch: server.fetch, locks: null });
      store.set({ accessToken: "stale", refreshToken: "r1", expiresAt: Date.now() + 120_000 });
      const stop = keepFresh(store, authFetch.ensureFresh);

      await vi.advanceTimersByTimeAsync(120_000 - REFRESH_EARLY_MS - 1);
      expect(server.seen).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(server.seen.map((s) => s.url)).toEqual([REFRESH]);
      expect(store.get()?.accessToken).toBe("fresh");
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
