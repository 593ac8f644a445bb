import { Button, Stack, Tabs, Text, Title } from "@mantine/core";
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Navigate } from "react-router";
import { api } from "../api/client";
import { unwrap } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { Empty, ErrorState, Loading } from "../components/States";
import { BookingCard, type Booking } from "../features/bookings/BookingCard";
import { CancelDialog } from "../features/bookings/CancelDialog";
import { MyClasses } from "../features/classes/MyClasses";
import { RescheduleDialog } from "../features/bookings/RescheduleDialog";
import { t } from "../i18n";
import { useRealtime } from "../realtime";
import { browserZone } from "../time/zones";

type When = "upcoming" | "past" | "classes";

/** My bookings, with the classes under their own tab; `/classes` (where class notifications link) opens that tab. */
export function BookingsPage({ initialTab = "upcoming" }: { initialTab?: When }) {
  const { user, loading } = useAuth();
  const [when, setWhen] = useState<When>(initialTab);
  const queryClient = useQueryClient();
  // Any change to one of my bookings (paid, confirmed, moved, cancelled by the other side) shows at once.
  useRealtime((message) => {
    if (message.type === "booking.updated" || (message.type === "ready" && message.reconnected)) {
      void queryClient.invalidateQueries({ queryKey: ["bookings"] });
    }
    if (message.type === "chat.message" || message.type === "chat.read") {
      void queryClient.invalidateQueries({ queryKey: ["conversations"] });
    }
  });
  if (loading) return <Loading />;
  if (!user) return <Navigate to="/signin" replace state={{ from: "/bookings" }} />;
  return (
    <Stack>
      <Title order={1}>{t.bookings.title}</Title>
      <Text size="sm" c="dimmed">
        {t.bookings.shownInZone(browserZone())}
      </Text>
      <Tabs value={when} onChange={(value) => setWhen(value === "past" || value === "classes" ? value : "upcoming")}>
        <Tabs.List>
          <Tabs.Tab value="upcoming">{t.bookings.upcoming}</Tabs.Tab>
          <Tabs.Tab value="past">{t.bookings.past}</Tabs.Tab>
          <Tabs.Tab value="classes">{t.classes.myClasses}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="upcoming" pt="md">
          {when === "upcoming" && <BookingList when="upcoming" />}
        </Tabs.Panel>
        <Tabs.Panel value="past" pt="md">
          {when === "past" && <BookingList when="past" />}
        </Tabs.Panel>
        <Tabs.Panel value="classes" pt="md">
          {when === "classes" && <MyClasses zone={browserZone()} />}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

/** Unread chat messages per booking: a booking's conversation has the booking's id. First page only (the 50 most
 * recently active conversations): older ones have nothing new. */
function useUnreadByConversation(): Map<string, number> {
  const conversations = useQuery({
    queryKey: ["conversations"],
    queryFn: async () => unwrap(await api.GET("/api/v1/conversations")),
  });
  return new Map((conversations.data?.items ?? []).map((c) => [c.id, c.unread]));
}

function BookingList({ when }: { when: "upcoming" | "past" }) {
  const zone = browserZone();
  const [cancelling, setCancelling] = useState<Booking | null>(null);
  const [moving, setMoving] = useState<Booking | null>(null);
  const bookings = useInfiniteQuery({
    queryKey: ["bookings", when],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) => unwrap(await api.GET("/api/v1/bookings", { params: { query: { as: "client", when, cursor: pageParam } } })),
    getNextPageParam: (page) => page.next_cursor,
  });
  const unread = useUnreadByConversation();
  if (bookings.isPending) return <Loading />;
  if (bookings.isError) return <ErrorState error={bookings.error} onRetry={() => bookings.refetch()} />;
  const items = bookings.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <Empty>{t.bookings.empty}</Empty>;
  return (
    <Stack>
      {items.map((booking) => (
        <BookingCard key={booking.id} booking={booking} zone={zone} unreadMessages={unread.get(booking.id) ?? 0} onCancel={setCancelling} onReschedule={setMoving} />
      ))}
      {bookings.hasNextPage && (
        <Button variant="light" mx="auto" onClick={() => bookings.fetchNextPage()} loading={bookings.isFetchingNextPage}>
          {t.bookings.loadMore}
        </Button>
      )}
      <CancelDialog booking={cancelling} onClose={() => setCancelling(null)} />
      <RescheduleDialog booking={moving} zone={zone} onClose={() => setMoving(null)} />
    </Stack>
  );
}
