import { ActionIcon, Badge, Button, Group, Popover, Select, Stack, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useEffect, useState } from "react";
import { t } from "../../i18n";
import type { DeviceChoice, RoomState, VideoRoom } from "./room";

const QUALITY_COLOUR: Record<string, string> = { good: "teal", fair: "yellow", poor: "red", unknown: "gray" };

function Toggle({ on, label, onClick, children }: { on: boolean; label: string; onClick: () => void; children: string }) {
  return (
    <Tooltip label={label}>
      <ActionIcon
        size="xl"
        radius="xl"
        variant={on ? "default" : "filled"}
        color={on ? undefined : "red"}
        aria-label={label}
        aria-pressed={on}
        onClick={onClick}
      >
        <span aria-hidden>{children}</span>
      </ActionIcon>
    </Tooltip>
  );
}

function useDevices(open: boolean): MediaDeviceInfo[] {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  useEffect(() => {
    if (!open || !navigator.mediaDevices?.enumerateDevices) return;
    void navigator.mediaDevices.enumerateDevices().then(setDevices);
  }, [open]);
  return devices;
}

function DeviceMenu({ room }: { room: VideoRoom }) {
  const [opened, setOpened] = useState(false);
  const devices = useDevices(opened);
  const choose = (choice: DeviceChoice) =>
    room.chooseDevices(choice).catch(() => notifications.show({ color: "red", message: t.video.deviceFailed }));
  const options = (kind: MediaDeviceKind) => [
    { value: "", label: t.video.defaultDevice },
    ...devices
      .filter((device) => device.kind === kind && device.deviceId)
      .map((device, index) => ({ value: device.deviceId, label: device.label || `${kind} ${index + 1}` })),
  ];
  return (
    <Popover opened={opened} onChange={setOpened} position="top" withArrow trapFocus>
      <Popover.Target>
        <Button variant="default" radius="xl" onClick={() => setOpened((o) => !o)}>
          {t.video.devices}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack w={260}>
          <Select
            label={t.video.microphone}
            data={options("audioinput")}
            defaultValue=""
            allowDeselect={false}
            onChange={(value) => value && void choose({ audioId: value })}
          />
          <Select
            label={t.video.camera}
            data={options("videoinput")}
            defaultValue=""
            allowDeselect={false}
            onChange={(value) => value && void choose({ videoId: value })}
          />
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

/** The bar under the tiles: microphone, camera, devices, screen, hand, people, chat, the quality badge and Leave. */
export function Controls({
  room,
  state,
  hand,
  onPeople,
  onChat,
  onLeave,
}: {
  room: VideoRoom;
  state: RoomState;
  hand?: { raised: boolean; toggle: () => void };
  onPeople?: () => void;
  onChat?: () => void;
  onLeave: () => void;
}) {
  const canShare = typeof navigator.mediaDevices?.getDisplayMedia === "function";
  return (
    <Group justify="center" gap="sm" wrap="wrap" p="sm" component="section" aria-label={t.video.devices}>
      {state.mayPublish && (
        <>
          <Toggle on={state.micOn} label={state.micOn ? t.video.micOn : t.video.micOff} onClick={() => room.setMic(!state.micOn)}>
            🎤
          </Toggle>
          <Toggle
            on={state.cameraOn}
            label={state.cameraOn ? t.video.cameraOn : t.video.cameraOff}
            onClick={() => room.setCamera(!state.cameraOn)}
          >
            📷
          </Toggle>
          <DeviceMenu room={room} />
          {canShare && (
            <Button
              variant={state.sharingScreen ? "filled" : "default"}
              radius="xl"
              aria-pressed={state.sharingScreen}
              onClick={() =>
                room.shareScreen(!state.sharingScreen).catch(() => notifications.show({ color: "yellow", message: t.video.shareFailed }))
              }
            >
              {state.sharingScreen ? t.video.shareStop : t.video.shareStart}
            </Button>
          )}
        </>
      )}
      {hand && (
        <Button variant={hand.raised ? "filled" : "default"} radius="xl" aria-pressed={hand.raised} onClick={hand.toggle}>
          {hand.raised ? t.video.lowerHand : t.video.raiseHand}
        </Button>
      )}
      {onPeople && (
        <Button variant="default" radius="xl" onClick={onPeople}>
          {t.video.people}
        </Button>
      )}
      {onChat && (
        <Button variant="default" radius="xl" onClick={onChat}>
          {t.video.chat}
        </Button>
      )}
      <Badge color={QUALITY_COLOUR[state.quality]} variant="light" size="lg" tt="none" role="status">
        {`${t.video.quality.label}: ${t.video.quality[state.quality] ?? state.quality}`}
      </Badge>
      <Button color="red" radius="xl" onClick={onLeave}>
        {t.video.leave}
      </Button>
    </Group>
  );
}
