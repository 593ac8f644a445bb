import { createContext, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { authFetch, endSession, tokenStore } from "../api/client";
import { RealtimeConnection, socketUrl, type ConnectionStatus, type RealtimeMessage } from "./connection";

type Listener = (message: RealtimeMessage) => void;

interface Realtime {
  subscribe: (listener: Listener) => () => void;
  status: ConnectionStatus;
}

const RealtimeContext = createContext<Realtime | null>(null);

function useSignedIn(): boolean {
  return useSyncExternalStore(
    (listener) => tokenStore.subscribe(listener),
    () => tokenStore.get() !== null,
  );
}


/** One WebSocket per signed-in tab, shared by every component that listens (bell, chat, bookings, video room). */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const signedIn = useSignedIn();
  const listeners = useRef(new Set<Listener>());
  const [status, setStatus] = useState<ConnectionStatus>("idle");
  const [subscribe] = useState(() => (listener: Listener) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  });

  useEffect(() => {
    if (!signedIn || typeof WebSocket === "undefined") return;
    const connection = new RealtimeConnection({
      url: socketUrl(window.location),
      token: () => tokenStore.get()?.accessToken ?? null,
      refresh: authFetch.refresh, // after a 4401 (one shared refresh across tabs)
      onSessionEnded: endSession,
      onStatus: setStatus,
      onMessage: (message) => {
        for (const listener of listeners.current) {
          try {
            listener(message);
          } catch (error) {
            // One listener's bug must not starve the others of messages.
            queueMicrotask(() => {
              throw error;
            });
          }
        }
      },
    });
    connection.start();
    // A new token (refreshed by this tab or another) goes on the open socket before the old one expires, or is used
    // at once by a socket waiting to reconnect.
    const unsubscribe = tokenStore.subscribe((tokens) => {
      if (!tokens) return;
      connection.reauthenticate();
      connection.retryNow();
    });
    const online = () => connection.retryNow();
    window.addEventListener("online", online);
    return () => {
      unsubscribe();
      window.removeEventListener("online", online);
      connection.stop();
    };
  }, [signedIn]);

  const value = useMemo<Realtime>(() => ({ subscribe, status }), [subscribe, status]);
  return <RealtimeContext.Provider value={value}>{children}</RealtimeContext.Provider>;
}

/**
 * Call `handler` with every real-time message while the component is mounted. The latest handler is kept in a ref,
 * so an inline function does not resubscribe on each render. Outside a RealtimeProvider it does nothing.
 */
export function useRealtime(handler: (message: RealtimeMessage) => void): void {
  const realtime = useContext(RealtimeContext);
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  const subscribe = realtime?.subscribe;
  useEffect(() => {
    if (!subscribe) return;
    return subscribe((message) => latest.current(message));
  }, [subscribe]);
}

/** Whether the socket is connected ("open"), trying ("connecting", "waiting") or off ("idle"). */
export function useRealtimeStatus(): ConnectionStatus {
  return useContext(RealtimeContext)?.status ?? "idle";
}

export type { RealtimeMessage } from "./connection";
