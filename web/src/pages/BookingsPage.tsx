import { Alert, Badge, Button, Card, Group, Modal, Stack, Tabs, Text, Textarea, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Navigate } from "react-router";
import { api, downloadIcs, type Schemas } from "../api/client";
import { messageOf, unwrap } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { Empty, ErrorState, Loading } from "../components/States";
import { t } from "../i18n";
import { browserZone, formatDateTime, formatTime } from "../time/zones";

type Booking = Schemas["BookingOut"];
type When = "upcoming" | "past";

const CANCELLABLE = new Set(["held", "pending_payment", "confirmed"]);

export function BookingsPage() {
  const { user, loading } = useAuth();
  const [when, setWhen] = useState<When>("upcoming");
  if (loading) return <Loading />;
  if (!user) return <Navigate to="/signin" replace state={{ from: "/bookings" }} />;
  return (
    <Stack>
      <Title order={1}>{t.bookings.title}</Title>
      <Tabs value={when} onChange={(value) => setWhen(value === "past" ? "past" : "upcoming")}>
        <Tabs.List>
          <Tabs.Tab value="upcoming">{t.bookings.upcoming}</Tabs.Tab>
          <Tabs.Tab value="past">{t.bookings.past}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="upcoming" pt="md">
          {when === "upcoming" && <BookingList when="upcoming" />}
        </Tabs.Panel>
        <Tabs.Panel value="past" pt="md">
          {when === "past" && <BookingList when="past" />}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function BookingList({ when }: { when: When }) {
  const zone = browserZone();
  const [cancelling, setCancelling] = useState<Booking | null>(null);
  const bookings = useInfiniteQuery({
    queryKey: ["bookings", when],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) => unwrap(await api.GET("/api/v1/bookings", { params: { query: { as: "client", when, cursor: pageParam } } })),
    getNextPageParam: (page) => page.next_cursor,
  });
  if (bookings.isPending) return <Loading />;
  if (bookings.isError) return <ErrorState error={bookings.error} onRetry={() => bookings.refetch()} />;
  const items = bookings.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <Empty>{t.bookings.empty}</Empty>;
  return (
    <Stack>
      {items.map((booking) => (
        <Card key={booking.id} withBorder component="article" aria-label={formatDateTime(booking.starts_at, zone)}>
          <Group justify="space-between" align="flex-start" gap="sm">
            <Stack gap={4}>
              <Text fw={600}>{t.bookings.when(formatDateTime(booking.starts_at, zone), formatTime(booking.ends_at, zone))}</Text>
              <Group gap="xs">
                <Badge variant="light" color={booking.status === "cancelled" ? "gray" : booking.status === "pending_payment" ? "yellow" : "blue"}>
                  {t.bookings.status[booking.status] ?? booking.status}
                </Badge>
                {booking.refund_percent !== null && <Text size="sm">{t.bookings.refund(booking.refund_percent)}</Text>}
              </Group>
            </Stack>
            <Group gap="xs">
              <Button
                variant="default"
                size="xs"
                onClick={() => downloadIcs(booking.id).catch((error: unknown) => notifications.show({ color: "red", message: messageOf(error) }))}
              >
                {t.bookings.ics}
              </Button>
              {when === "upcoming" && CANCELLABLE.has(booking.status) && (
                <Button variant="light" color="red" size="xs" onClick={() => setCancelling(booking)}>
                  {t.bookings.cancel}
                </Button>
              )}
            </Group>
          </Group>
        </Card>
      ))}
      {bookings.hasNextPage && (
        <Button variant="light" mx="auto" onClick={() => bookings.fetchNextPage()} loading={bookings.isFetchingNextPage}>
          {t.bookings.loadMore}
        </Button>
      )}
      <CancelDialog booking={cancelling} onClose={() => setCancelling(null)} />
    </Stack>
  );
}

function CancelDialog({ booking, onClose }: { booking: Booking | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const cancel = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/api/v1/bookings/{booking_id}/cancel", { params: { path: { booking_id: id } }, body: { reason } })),
    onSuccess: async () => {
      notifications.show({ color: "green", message: t.bookings.cancelled });
      close();
      await queryClient.invalidateQueries({ queryKey: ["bookings"] });
    },
  });
  function close() {
    setReason("");
    cancel.reset();
    onClose();
  }
  return (
    <Modal opened={booking !== null} onClose={close} title={t.bookings.cancelTitle}>
      {booking && (
        <Stack>
          {cancel.isError && (
            <Alert color="red" role="alert">
              {messageOf(cancel.error)}
            </Alert>
          )}
          <Textarea label={t.bookings.cancelReason} maxLength={500} value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t.bookings.keep}
            </Button>
            <Button color="red" loading={cancel.isPending} onClick={() => cancel.mutate(booking.id)}>
              {t.bookings.cancelConfirm}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
