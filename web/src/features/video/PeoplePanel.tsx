import { Badge, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { messageOf } from "../../api/problem";
import { t } from "../../i18n";
import { hostAction, type HostAction } from "./api";
import type { Participant } from "./layout";

/** Everyone in the room; for a class's host, the controls: give or take back the floor, mute, remove. */
export function PeoplePanel({
  people,
  sessionId,
  isHost,
  onChanged,
}: {
  people: Participant[];
  sessionId: string | null;
  isHost: boolean;
  onChanged: () => void;
}) {
  const [removing, setRemoving] = useState<Participant | null>(null);
  const act = async (action: HostAction, person: Participant) => {
    if (!sessionId) return;
    try {
      await hostAction(sessionId, action, person.user_id);
      onChanged();
    } catch (error) {
      notifications.show({ color: "red", message: messageOf(error) });
    }
  };
  const sorted = [...people].sort((a, b) => Number(b.hand_raised) - Number(a.hand_raised));
  return (
    <Stack gap="sm" component="ul" p={0} style={{ listStyle: "none" }}>
      {sorted.map((person) => (
        <Stack key={person.user_id} component="li" gap={4}>
          <Group gap="xs">
            <Text fw={500}>{person.display_name}</Text>
            {person.role === "host" && <Badge size="sm">{t.video.host}</Badge>}
            {person.hand_raised && (
              <Badge size="sm" color="yellow">
                {t.video.handUp}
              </Badge>
            )}
            {person.role === "attendee" && person.may_publish && (
              <Badge size="sm" color="teal">
                {t.video.mayPublish}
              </Badge>
            )}
          </Group>
          {isHost && sessionId && person.role === "attendee" && (
            <Group gap="xs">
              {person.may_publish ? (
                <Button size="compact-xs" variant="light" onClick={() => void act("floor/take-back", person)}>
                  {t.video.takeFloor(person.display_name)}
                </Button>
              ) : (
                <Button size="compact-xs" variant="light" onClick={() => void act("floor", person)}>
                  {t.video.giveFloor(person.display_name)}
                </Button>
              )}
              <Button size="compact-xs" variant="default" onClick={() => void act("mute", person)}>
                {t.video.mute(person.display_name)}
              </Button>
              <Button size="compact-xs" variant="light" color="red" onClick={() => setRemoving(person)}>
                {t.video.remove(person.display_name)}
              </Button>
            </Group>
          )}
        </Stack>
      ))}
      <Modal opened={removing !== null} onClose={() => setRemoving(null)} title={t.video.peopleTitle} centered>
        {removing && (
          <Stack>
            <Text>{t.video.removeConfirm(removing.display_name)}</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRemoving(null)}>
                {t.video.cancel}
              </Button>
              <Button
                color="red"
                onClick={() => {
                  void act("remove", removing);
                  setRemoving(null);
                }}
              >
                {t.video.remove(removing.display_name)}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
