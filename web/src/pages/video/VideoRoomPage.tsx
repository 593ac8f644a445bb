import { Alert, Anchor, Box, Button, Card, Center, Container, Drawer, Group, Loader, Pagination, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError, messageOf } from "../../api/problem";
import { useAuth } from "../../auth/AuthContext";
import { Loading } from "../../components/States";
import { asRoomError, joinRoom, leaveRoom, participantsOf, setHand, type RoomKind } from "../../features/video/api";
import { ChatPanel } from "../../features/chat/ChatPanel";
import { Controls } from "../../features/video/Controls";
import { layoutOf, type Tile } from "../../features/video/layout";
import { PeoplePanel } from "../../features/video/PeoplePanel";
import { VideoRoom, type JoinAnswer, type RoomState } from "../../features/video/room";
import { VideoTile } from "../../features/video/VideoTile";
import { t } from "../../i18n";
import { useRealtime, type RealtimeMessage } from "../../realtime";
import { browserZone, formatDateTime } from "../../time/zones";

const PEOPLE_REFRESH_MS = 10_000;
const UNAVAILABLE_RETRY_MS = 10_000;

function BackLink() {
  return (
    <Anchor component={Link} to="/bookings">
      {t.video.back}
    </Anchor>
  );
}

/** Why the room cannot be entered now: the server's own words, with what to do next. */
function NotOpen({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const kind = error instanceof ApiError ? error.kind : "";
  const title =
    kind === "video-unavailable" ? t.video.unavailable : kind.startsWith("video-") ? t.video.windowClosed : error instanceof ApiError && error.status === 404 ? t.video.notFound : t.states.error;
  useEffect(() => {
    if (kind !== "video-unavailable") return;
    const timer = setTimeout(onRetry, UNAVAILABLE_RETRY_MS);
    return () => clearTimeout(timer);
  }, [kind, onRetry]);
  return (
    <Container size="sm" py="xl">
      <Stack>
        <Alert color={kind === "video-unavailable" ? "yellow" : "red"} title={title} role="alert">
          {messageOf(error)}
        </Alert>
        <Group>
          <Button variant="default" onClick={onRetry}>
            {t.states.retry}
          </Button>
          <BackLink />
        </Group>
      </Stack>
    </Container>
  );
}

function Lobby({ answer, onEnter }: { answer: JoinAnswer; onEnter: () => void }) {
  const zone = browserZone();
  return (
    <Container size="sm" py="xl">
      <Card withBorder padding="lg">
        <Stack>
          <Title order={1} size="h2">
            {t.video.lobbyTitle}
          </Title>
          <Text>{t.video.lobbyText(formatDateTime(answer.starts_at, zone), formatDateTime(answer.ends_at, zone))}</Text>
          {!answer.may_publish && <Text c="dimmed">{t.video.lobbyWatch}</Text>}
          <Group>
            <Button onClick={onEnter} autoFocus>
              {t.video.enter}
            </Button>
            <BackLink />
          </Group>
        </Stack>
      </Card>
    </Container>
  );
}

/** The room, entered while the component is mounted (left again when it unmounts). */
function useRoom(kind: RoomKind, id: string, first: JoinAnswer): { room: VideoRoom | null; state: RoomState | null } {
  const [view, setView] = useState<{ room: VideoRoom | null; state: RoomState | null }>({ room: null, state: null });
  const used = useRef(false);
  useEffect(() => {
    const enter = async () => {
      // The lobby's answer serves the first entry; every later one (moved, floor, network) asks again.
      if (!used.current) {
        used.current = true;
        return first;
      }
      try {
        return await joinRoom(kind, id);
      } catch (error) {
        throw asRoomError(error);
      }
    };
    const room: VideoRoom = new VideoRoom(enter, (state) => setView({ room, state }));
    room.start().catch((error: unknown) =>
      notifications.show({
        color: "red",
        message: error instanceof Error && error.name === "NotAllowedError" ? t.video.mediaError : messageOf(error),
      }),
    );
    return () => void room.leave();
  }, [kind, id, first]);
  return view;
}

function Stage({ kind, id, answer }: { kind: RoomKind; id: string; answer: JoinAnswer }) {
  const navigate = useNavigate();
  const { room, state } = useRoom(kind, id, answer);
  const [page, setPage] = useState(1);
  const [peopleOpen, setPeopleOpen] = useState(false);
  const [chatOpen, setChatOpen] = useState(false);
  const [handRaised, setHandRaised] = useState(false);
  const people = useQuery({
    queryKey: ["video-people", kind, id],
    queryFn: () => participantsOf(kind, id),
    enabled: state?.status === "live",
    refetchInterval: PEOPLE_REFRESH_MS,
  });
  const isHost = answer.role === "host";

  useRealtime(
    useCallback(
      (message: RealtimeMessage) => {
        const data = (message.data ?? {}) as Record<string, unknown>;
        const aboutThis = data.subject_id === id || data.session_id === id;
        if (!aboutThis) return;
        if (message.type === "room.moved" || message.type === "video.floor" || message.type === "video.removed") {
          if (message.type === "video.floor" && data.may_publish === true) notifications.show({ message: t.video.floorGiven });
          if (message.type === "video.floor") setHandRaised(false);
          void room?.rejoin(message.type);
        }
        if (message.type === "video.hand") void people.refetch();
      },
      [id, room, people],
    ),
  );

  const self: Tile | null = state?.local
    ? { key: "self", label: state.sharingScreen ? t.video.youSharing : t.video.you, stream: state.local, self: true, host: isHost }
    : null;
  const layout = layoutOf({ kind, feeds: state?.feeds ?? [], people: people.data ?? [], self, page });

  const leave = async () => {
    await room?.leave();
    await leaveRoom(kind, id).catch(() => undefined);
    navigate("/bookings");
  };

  if (!state || !room) return <Loading label={t.video.connecting} />;
  if (state.status === "ended" || state.status === "removed") {
    return (
      <Container size="sm" py="xl">
        <Stack>
          <Alert color={state.status === "removed" ? "red" : "blue"} role="status">
            {state.status === "removed" ? t.video.removed : (state.problem ?? t.video.ended)}
          </Alert>
          <BackLink />
        </Stack>
      </Container>
    );
  }
  return (
    <Stack gap={0} mih="100dvh" bg="dark.9">
      <Group justify="space-between" p="sm">
        <Title order={1} size="h4" c="gray.0">
          {kind === "class" ? t.video.classRoom : t.video.bookingRoom}
        </Title>
        {state.status !== "live" && (
          <Group gap="xs" role="status" aria-live="polite">
            <Loader size="xs" />
            <Text c="gray.3" size="sm">
              {state.status === "connecting" ? t.video.connecting : t.video.reconnecting}
            </Text>
          </Group>
        )}
      </Group>
      <Box component="main" flex={1} p="sm">
        {layout.stage && (
          <Box maw={960} mx="auto" mb="sm">
            <VideoTile tile={layout.stage} large />
          </Box>
        )}
        {layout.grid.length === 0 && !layout.stage ? (
          <Center h={240}>
            <Text c="gray.3">{t.video.waitingForOthers}</Text>
          </Center>
        ) : (
          <SimpleGrid cols={{ base: 1, xs: 2, md: kind === "class" ? 3 : 2 }} spacing="sm" maw={kind === "class" ? 1200 : 1400} mx="auto">
            {layout.grid.map((tile) => (
              <VideoTile key={tile.key} tile={tile} />
            ))}
          </SimpleGrid>
        )}
        {layout.pages > 1 && (
          <Center mt="sm">
            <Pagination total={layout.pages} value={page} onChange={setPage} aria-label={t.video.page} />
          </Center>
        )}
      </Box>
      <Box bg="dark.7">
        <Controls
          room={room}
          state={state}
          hand={
            answer.role === "attendee" && !state.mayPublish
              ? {
                  raised: handRaised,
                  toggle: () =>
                    setHand(id, !handRaised)
                      .then(() => setHandRaised(!handRaised))
                      .catch((error: unknown) => notifications.show({ color: "red", message: messageOf(error) })),
                }
              : undefined
          }
          onPeople={kind === "class" ? () => setPeopleOpen(true) : undefined}
          onChat={() => setChatOpen(true)}
          onLeave={() => void leave()}
        />
      </Box>
      <Drawer opened={chatOpen} onClose={() => setChatOpen(false)} title={t.video.chat} position="right" size="md">
        <ChatPanel
          conversationId={id}
          names={Object.fromEntries((people.data ?? []).map((person) => [person.user_id, person.display_name]))}
          autoFocus
        />
      </Drawer>
      <Drawer opened={peopleOpen} onClose={() => setPeopleOpen(false)} title={t.video.peopleTitle} position="right">
        <PeoplePanel people={people.data ?? []} sessionId={kind === "class" ? id : null} isHost={isHost} onChanged={() => void people.refetch()} />
      </Drawer>
    </Stack>
  );
}

/** The video room of a booking (`/video/booking/:id`) or a class session (`/video/class/:id`). */
export function VideoRoomPage() {
  const params = useParams();
  const kind: RoomKind = params.kind === "class" ? "class" : "booking";
  const id = params.id ?? "";
  const { user, loading } = useAuth();
  const [entered, setEntered] = useState(false);
  const join = useQuery({
    queryKey: ["video-join", kind, id],
    queryFn: () => joinRoom(kind, id),
    enabled: user !== null,
    retry: false,
    staleTime: Infinity,
    gcTime: 0,
  });

  useEffect(() => {
    document.title = t.video.title(t.app.name);
  }, []);

  if (loading) return <Loading />;
  if (!user) {
    return (
      <Container size="sm" py="xl">
        <Alert role="alert">
          <Anchor component={Link} to="/signin">
            {t.auth.signInRequired}
          </Anchor>
        </Alert>
      </Container>
    );
  }
  if (join.isPending) return <Loading label={t.video.checking} />;
  if (join.isError) return <NotOpen error={join.error} onRetry={() => void join.refetch()} />;
  if (!entered) return <Lobby answer={join.data} onEnter={() => setEntered(true)} />;
  return <Stage kind={kind} id={id} answer={join.data} />;
}
