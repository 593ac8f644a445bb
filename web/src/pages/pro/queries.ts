/** The professional's data: query keys (so mutations invalidate the right ones) and the shared queries. */
import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import { unwrap } from "../../api/problem";
import { useAuth } from "../../auth/AuthContext";
import { browserZone } from "../../time/zones";
import type { Profile } from "./profile";

export const proKeys = {
  all: ["pro"] as const,
  profile: ["pro", "profile"] as const,
  offerings: ["pro", "offerings"] as const,
  rules: ["pro", "availability", "rules"] as const,
  overrides: ["pro", "availability", "overrides"] as const,
  timeOff: ["pro", "availability", "time-off"] as const,
  externalCalendar: ["pro", "availability", "external-calendar"] as const,
  allSessions: ["pro", "sessions"] as const,
  sessions: (offeringId: string) => ["pro", "sessions", offeringId] as const,
  roster: (sessionId: string) => ["pro", "roster", sessionId] as const,
  /** Under "bookings", so the client's own booking lists refresh with them. */
  bookings: ["bookings", "professional"] as const,
  earnings: ["pro", "earnings"] as const,
  payouts: ["pro", "payouts"] as const,
};

export function useMyOfferings() {
  return useQuery({
    queryKey: proKeys.offerings,
    queryFn: async () => unwrap(await api.GET("/api/v1/me/offerings")),
  });
}

/** The caller's profile, or null before they have created one. */
export function useMyProfile() {
  return useQuery({
    queryKey: proKeys.profile,
    queryFn: async (): Promise<Profile | null> => unwrap(await api.GET("/api/v1/me/professional")) ?? null,
  });
}

/** The zone the professional's wall-clock times are in: their profile's, else their account's. */
export function useProZone(): string {
  const { user } = useAuth();
  const profile = useMyProfile();
  return profile.data?.timezone ?? user?.timezone ?? browserZone();
}

export function isProfessional(role: string | undefined): boolean {
  return role === "professional";
}
