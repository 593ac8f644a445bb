import { Alert, Button, Group, Modal, Stack, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { t } from "../../i18n";
import type { Booking } from "./BookingCard";

export function CancelDialog({ booking, onClose }: { booking: Booking | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const cancel = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/api/v1/bookings/{booking_id}/cancel", { params: { path: { booking_id: id } }, body: { reason } })),
    onSuccess: async (cancelled) => {
      notifications.show({ color: "green", message: t.bookings.cancelled });
      queryClient.setQueryData(["booking", cancelled.id], cancelled);
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
