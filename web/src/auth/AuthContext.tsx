import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from "react";
import { api, authFetch, onSessionEnded, tokenStore, type Schemas } from "../api/client";
import { unwrap } from "../api/problem";
import { keepFresh } from "./tokens";

type Account = Schemas["AccountOut"];

interface Auth {
  user: Account | null;
  loading: boolean;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

function useSignedIn(): boolean {
  return useSyncExternalStore(
    (listener) => tokenStore.subscribe(listener),
    () => tokenStore.get() !== null,
  );
}

export function AuthProvider({ children, onExpired }: { children: ReactNode; onExpired?: () => void }) {
  const queryClient = useQueryClient();
  const signedIn = useSignedIn();
  const me = useQuery({
    queryKey: ["me"],
    queryFn: async () => unwrap(await api.GET("/api/v1/me")),
    enabled: signedIn,
    staleTime: 5 * 60_000,
  });

  useEffect(() => onSessionEnded(() => onExpired?.()), [onExpired]);
  // Tokens stay fresh while the tab is open, idle or not (its socket re-authenticates with each new one).
  useEffect(() => keepFresh(tokenStore, authFetch.ensureFresh), []);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const pair = unwrap(await api.POST("/api/v1/auth/login", { body: { email, password } }));
      tokenStore.setPair(pair);
      await queryClient.invalidateQueries({ queryKey: ["me"] });
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    // The tokens go from this browser first (every tab signs out, and this tab's socket closes as its own choice, not
    // as a session the server ended); ending the session on the server is then best effort.
    await authFetch.ensureFresh();
    const tokens = tokenStore.get();
    tokenStore.set(null);
    queryClient.clear();
    if (tokens) {
      const headers = { Authorization: `Bearer ${tokens.accessToken}` };
      await api.POST("/api/v1/auth/logout", { headers }).catch(() => undefined);
    }
  }, [queryClient]);

  const value = useMemo<Auth>(
    () => ({
      user: signedIn ? (me.data ?? null) : null,
      loading: signedIn && me.isPending,
      signIn,
      signOut,
    }),
    [signedIn, me.data, me.isPending, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthProvider");
  return auth;
}
