import { Anchor, Stack, Text } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { Link, Navigate, useLocation, useParams } from "react-router";
import { api } from "../../api/client";
import { ApiError, unwrap } from "../../api/problem";
import { useAuth } from "../../auth/AuthContext";
import { Empty, ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { useRealtime } from "../../realtime";
import { browserZone } from "../../time/zones";
import { ChatPanel } from "../chat/ChatPanel";
import { PaymentPanel } from "../payment/PaymentPanel";
import { BookingCard, useBookingTitle, type Booking } from "./BookingCard";
import { CancelDialog } from "./CancelDialog";
import { RescheduleDialog } from "./RescheduleDialog";

/** One booking (`/bookings/:id`, where notifications lead; `/bookings/:id/chat` focuses its chat): its actions, the
 * payment form while it waits for payment, and the conversation with the other party. */
export function BookingDetailPage({ focusChat = false }: { focusChat?: boolean }) {
  const { id = "" } = useParams();
  const { user, loading } = useAuth();
  const location = useLocation();
  const queryClient = useQueryClient();
  const booking = useQuery({
    queryKey: ["booking", id],
    queryFn: async () => unwrap(await api.GET("/api/v1/bookings/{booking_id}", { params: { path: { booking_id: id } } })),
    enabled: user !== null,
  });
  useRealtime((message) => {
    if ((message.type === "booking.updated" && message.channel === `booking:${id}`) || (message.type === "ready" && message.reconnected)) {
      void queryClient.invalidateQueries({ queryKey: ["booking", id] });
    }
  });
  if (loading) return <Loading />;
  if (!user) return <Navigate to="/signin" replace state={{ from: location.pathname }} />;
  if (booking.isPending) return <Loading />;
  if (booking.isError) {
    return booking.error instanceof ApiError && booking.error.status === 404 ? (
      <Stack>
        <Empty>{t.account.booking.notFound}</Empty>
        <Anchor component={Link} to="/bookings" ta="center">
          {t.account.booking.back}
        </Anchor>
      </Stack>
    ) : (
      <ErrorState error={booking.error} onRetry={() => booking.refetch()} />
    );
  }
  return <BookingDetail booking={booking.data} me={user.id} focusChat={focusChat} />;
}

function BookingDetail({ booking, me, focusChat }: { booking: Booking; me: string; focusChat: boolean }) {
  const zone = browserZone();
  const queryClient = useQueryClient();
  const { title, professionalName } = useBookingTitle(booking);
  const [cancelling, setCancelling] = useState<Booking | null>(null);
  const [moving, setMoving] = useState<Booking | null>(null);
  const confirmed = useCallback(() => void queryClient.invalidateQueries({ queryKey: ["booking", booking.id] }), [queryClient, booking.id]);
  const names = professionalName ? { [booking.professional_id]: professionalName } : undefined;
  return (
    <Stack maw={820} mx="auto" w="100%">
      <Anchor component={Link} to="/bookings" size="sm">
        ← {t.account.booking.back}
      </Anchor>
      <Text component="h1" fz="h2" fw={700} m={0}>
        {title}
      </Text>
      <Text size="sm" c="dimmed">
        {t.bookings.shownInZone(zone)}
      </Text>
      <BookingCard booking={booking} zone={zone} detailed headingLevel={2} onCancel={setCancelling} onReschedule={setMoving} />
      {booking.status === "pending_payment" && booking.client_id === me && <PaymentPanel bookingId={booking.id} onConfirmed={confirmed} />}
      <ChatPanel conversationId={booking.id} names={names} title={t.account.booking.chatTitle} autoFocus={focusChat} readOnly={booking.status === "cancelled"} />
      <CancelDialog booking={cancelling} onClose={() => setCancelling(null)} />
      <RescheduleDialog booking={moving} zone={zone} onClose={() => setMoving(null)} />
    </Stack>
  );
}
