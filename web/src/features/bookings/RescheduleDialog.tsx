import { Alert, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { SlotPicker, type Slot } from "../../components/SlotPicker";
import { t } from "../../i18n";
import { formatDateTime } from "../../time/zones";
import type { Booking } from "./BookingCard";

/** Move a booking to another free slot of the same offering; the server checks the offering's notice and horizon. */
export function RescheduleDialog({ booking, zone, onClose }: { booking: Booking | null; zone: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const small = useMediaQuery("(max-width: 36em)");
  const [chosen, setChosen] = useState<{ slot: Slot; zone: string } | null>(null);
  const move = useMutation({
    mutationFn: async ({ id, starts_at }: { id: string; starts_at: string }) =>
      unwrap(await api.POST("/api/v1/bookings/{booking_id}/reschedule", { params: { path: { booking_id: id } }, body: { starts_at } })),
    onSuccess: async (moved) => {
      notifications.show({ color: "green", message: t.bookings.rescheduled });
      queryClient.setQueryData(["booking", moved.id], moved);
      close();
      await queryClient.invalidateQueries({ queryKey: ["bookings"] });
      await queryClient.invalidateQueries({ queryKey: ["slots", moved.professional_id] });
    },
  });
  function close() {
    setChosen(null);
    move.reset();
    onClose();
  }
  return (
    <Modal opened={booking !== null} onClose={close} title={t.bookings.rescheduleTitle} size="lg" fullScreen={small}>
      {booking && (
        <Stack>
          <Text size="sm">{t.bookings.rescheduleCurrent(formatDateTime(booking.starts_at, zone))}</Text>
          {move.isError && (
            <Alert color="red" role="alert">
              {messageOf(move.error)}
            </Alert>
          )}
          {chosen ? (
            <Stack>
              <Text fw={500}>{t.bookings.rescheduleConfirm(formatDateTime(chosen.slot.starts_at, chosen.zone))}</Text>
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setChosen(null)}>
                  {t.professional.cancel}
                </Button>
                <Button loading={move.isPending} onClick={() => move.mutate({ id: booking.id, starts_at: chosen.slot.starts_at })}>
                  {t.bookings.rescheduleDo}
                </Button>
              </Group>
            </Stack>
          ) : (
            <SlotPicker
              professionalId={booking.professional_id}
              offeringId={booking.offering_id}
              initialZone={zone}
              excludeStart={booking.starts_at}
              chooseLabel={t.bookings.rescheduleTo}
              onChoose={(slot, slotZone) => {
                move.reset();
                setChosen({ slot, zone: slotZone });
              }}
            />
          )}
        </Stack>
      )}
    </Modal>
  );
}
