import { ActionIcon, Anchor, Box, Button, Divider, Group, Indicator, Popover, ScrollArea, Stack, Text, UnstyledButton, VisuallyHidden } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { api, type Schemas } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { useRealtime } from "../../realtime";
import { browserZone, formatDateTime } from "../../time/zones";
import { appPath } from "./links";

type Page = Schemas["NotificationPage"];
type Notification = Schemas["NotificationOut"];

export const NOTIFICATIONS_KEY = ["notifications"] as const;

/** The unread count of the newest page: the server counts, the socket says when it changes. */
export function withUnread(data: InfiniteData<Page> | undefined, unread: (current: number) => number): InfiniteData<Page> | undefined {
  if (!data) return data;
  return { ...data, pages: data.pages.map((page, index) => (index === 0 ? { ...page, unread: Math.max(0, unread(page.unread)) } : page)) };
}

function BellIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  );
}

/** The bell in the header: the unread count, live; the list in a popover; each item leads to what it is about. */
export function NotificationBell() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [opened, { toggle, close }] = useDisclosure(false);
  const [announcement, setAnnouncement] = useState("");
  const list = useInfiniteQuery({
    queryKey: NOTIFICATIONS_KEY,
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) => unwrap(await api.GET("/api/v1/notifications", { params: { query: { cursor: pageParam } } })),
    getNextPageParam: (page) => page.next_cursor,
  });
  const unread = list.data?.pages[0]?.unread ?? 0;

  useRealtime((message) => {
    const data = typeof message.data === "object" && message.data !== null ? (message.data as Record<string, unknown>) : {};
    if (message.type === "notification") {
      queryClient.setQueryData<InfiniteData<Page>>(NOTIFICATIONS_KEY, (current) => withUnread(current, (n) => n + 1));
      void queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY });
      if (typeof data.title === "string") setAnnouncement(t.account.bell.newOne(data.title));
    } else if (message.type === "notifications.read" && typeof data.unread === "number") {
      const left = data.unread;
      queryClient.setQueryData<InfiniteData<Page>>(NOTIFICATIONS_KEY, (current) => withUnread(current, () => left));
      if (opened) void queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY });
    } else if (message.type === "ready" && message.reconnected) {
      void queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY });
    }
  });

  const markRead = useMutation({
    mutationFn: async (body: { ids?: string[]; all?: boolean }) => unwrap(await api.POST("/api/v1/notifications/read", { body })),
    onSuccess: async (answer) => {
      queryClient.setQueryData<InfiniteData<Page>>(NOTIFICATIONS_KEY, (current) => withUnread(current, () => answer.unread));
      await queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY });
    },
  });

  function open(notification: Notification) {
    if (!notification.read_at) markRead.mutate({ ids: [notification.id] });
    const to = notification.link ? appPath(notification.link) : null;
    close();
    if (to) navigate(to);
  }

  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const zone = browserZone();
  return (
    <>
      {/* The count's badge is decoration: the button's name carries it. */}
      <Indicator label={<span aria-hidden>{unread > 99 ? "99+" : unread}</span>} size={16} disabled={unread === 0} offset={4} color="red" styles={{ indicator: { pointerEvents: "none" } }}>
        <Popover opened={opened} onChange={(next) => !next && close()} position="bottom-end" width="min(380px, calc(100vw - 24px))" middlewares={{ flip: true, shift: { padding: 8 } }} shadow="md" trapFocus returnFocus withinPortal hideDetached={false}>
          <Popover.Target>
            <ActionIcon variant="default" size="lg" aria-label={t.account.bell.label(unread)} onClick={toggle}>
              <BellIcon />
            </ActionIcon>
          </Popover.Target>
          <Popover.Dropdown p={0} role="dialog" aria-label={t.account.bell.title}>
            <Group justify="space-between" px="sm" py="xs" wrap="nowrap">
              <Text fw={600} component="h2" size="md" m={0}>
                {t.account.bell.title}
              </Text>
              <Button variant="subtle" size="compact-xs" disabled={unread === 0} loading={markRead.isPending} onClick={() => markRead.mutate({ all: true })}>
                {t.account.bell.markAll}
              </Button>
            </Group>
            <Divider />
            {markRead.isError && (
              <Text size="xs" c="red" px="sm" role="alert">
                {messageOf(markRead.error)}
              </Text>
            )}
            <ScrollArea.Autosize mah="min(420px, 70vh)" type="auto">
              {list.isPending ? (
                <Loading />
              ) : list.isError ? (
                <Box p="sm">
                  <ErrorState error={list.error} onRetry={() => list.refetch()} />
                </Box>
              ) : items.length === 0 ? (
                <Text c="dimmed" ta="center" p="md" size="sm">
                  {t.account.bell.empty}
                </Text>
              ) : (
                <Stack gap={0} component="ul" m={0} p={0} style={{ listStyle: "none" }}>
                  {items.map((n) => (
                    <Box component="li" key={n.id} style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}>
                      <UnstyledButton onClick={() => open(n)} p="sm" w="100%" style={{ display: "block" }} bg={n.read_at ? undefined : "var(--mantine-primary-color-light)"}>
                        <Group gap={6} wrap="nowrap" align="flex-start">
                          {!n.read_at && (
                            <Box w={8} h={8} mt={6} bg="red" style={{ borderRadius: "50%", flex: "none" }} aria-hidden />
                          )}
                          <Stack gap={2} style={{ minWidth: 0 }}>
                            <Text size="sm" fw={n.read_at ? 400 : 600}>
                              {!n.read_at && <VisuallyHidden>{t.account.bell.unread}: </VisuallyHidden>}
                              {n.title}
                            </Text>
                            <Text size="xs" style={{ overflowWrap: "anywhere" }}>
                              {n.body}
                            </Text>
                            <Text size="xs" c="dimmed">
                              {formatDateTime(n.created_at, zone)}
                            </Text>
                          </Stack>
                        </Group>
                      </UnstyledButton>
                    </Box>
                  ))}
                </Stack>
              )}
              {list.hasNextPage && (
                <Group justify="center" p="xs">
                  <Button variant="subtle" size="xs" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
                    {t.account.bell.more}
                  </Button>
                </Group>
              )}
            </ScrollArea.Autosize>
            <Divider />
            <Box px="sm" py="xs">
              <Anchor component={Link} to="/account/notifications" size="sm" onClick={close}>
                {t.account.bell.settings}
              </Anchor>
            </Box>
          </Popover.Dropdown>
        </Popover>
      </Indicator>
      <VisuallyHidden role="status" aria-live="polite">
        {announcement}
      </VisuallyHidden>
    </>
  );
}
