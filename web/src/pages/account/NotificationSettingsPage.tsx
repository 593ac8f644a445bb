import { Alert, Button, Group, Paper, Stack, Switch, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, type Schemas } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { changes, toGrid, toggled, type Grid } from "./preferences";
import { currentSubscription, PermissionDenied, subscribe, unsubscribe, webPushSupported } from "./webPush";

type Preferences = Schemas["Preferences"];

export function NotificationSettingsPage() {
  return (
    <Stack>
      <PreferencesTable />
      <WebPush />
    </Stack>
  );
}

const kindLabel = (kind: string) => t.account.preferences.kinds[kind] ?? kind;
const channelLabel = (channel: string) => t.account.preferences.channels[channel] ?? channel;

function PreferencesTable() {
  const preferences = useQuery({
    queryKey: ["notification-preferences"],
    queryFn: async () => unwrap(await api.GET("/api/v1/me/notification-preferences")),
  });
  return (
    <Paper withBorder p={{ base: "xs", sm: "md" }} component="section" aria-labelledby="preferences-title">
      <Stack>
        <Title order={2} size="h3" id="preferences-title">
          {t.account.preferences.title}
        </Title>
        <Text size="sm">{t.account.preferences.intro}</Text>
        {preferences.isPending ? (
          <Loading />
        ) : preferences.isError ? (
          <ErrorState error={preferences.error} onRetry={() => preferences.refetch()} />
        ) : (
          <PreferencesForm key={preferences.dataUpdatedAt} saved={preferences.data} />
        )}
      </Stack>
    </Paper>
  );
}

export function PreferencesForm({ saved }: { saved: Preferences }) {
  const queryClient = useQueryClient();
  const original = toGrid(saved.kinds, saved.channels, saved.preferences);
  const [grid, setGrid] = useState<Grid>(original);
  const pending = changes(original, grid);
  const save = useMutation({
    mutationFn: async () => unwrap(await api.PUT("/api/v1/me/notification-preferences", { body: pending })),
    onSuccess: (answer) => {
      queryClient.setQueryData(["notification-preferences"], answer);
      notifications.show({ color: "green", message: t.account.preferences.saved });
    },
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (pending.length > 0) save.mutate();
      }}
    >
      <Stack>
        {save.isError && (
          <Alert color="red" role="alert">
            {messageOf(save.error)}
          </Alert>
        )}
        <Table.ScrollContainer minWidth={300}>
          <Table striped withTableBorder verticalSpacing="xs" horizontalSpacing="xs" fz="sm" aria-label={t.account.preferences.tableCaption}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t.account.preferences.kind}</Table.Th>
                {saved.channels.map((channel) => (
                  <Table.Th key={channel} scope="col" ta="center">
                    {channelLabel(channel)}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {saved.kinds.map((kind) => (
                <Table.Tr key={kind}>
                  <Table.Th scope="row" fw={400}>
                    {kindLabel(kind)}
                  </Table.Th>
                  {saved.channels.map((channel) => (
                    <Table.Td key={channel}>
                      <Group justify="center">
                        <Switch
                          size="sm"
                          aria-label={t.account.preferences.toggle(kindLabel(kind), channelLabel(channel))}
                          checked={grid[kind]?.[channel] ?? true}
                          onChange={(e) => setGrid(toggled(grid, kind, channel, e.currentTarget.checked))}
                        />
                      </Group>
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Group justify="flex-end" gap="sm">
          {pending.length === 0 && (
            <Text size="sm" c="dimmed">
              {t.account.preferences.unchanged}
            </Text>
          )}
          <Button type="submit" loading={save.isPending} disabled={pending.length === 0}>
            {t.account.preferences.save}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

type PushState = "checking" | "on" | "off";

function WebPush() {
  const supported = webPushSupported();
  const key = useQuery({
    queryKey: ["web-push-key"],
    queryFn: async () => unwrap(await api.GET("/api/v1/notifications/web-push-key")),
    enabled: supported,
    staleTime: Infinity,
  });
  const [state, setState] = useState<PushState>("checking");
  useEffect(() => {
    if (!supported) return;
    let current = true;
    currentSubscription()
      .then((subscription) => current && setState(subscription ? "on" : "off"))
      .catch(() => current && setState("off"));
    return () => {
      current = false;
    };
  }, [supported]);
  const toggle = useMutation({
    mutationFn: async (on: boolean) => {
      if (on) {
        if (!key.data?.public_key) return "off" as const;
        await subscribe(key.data.public_key);
        return "on" as const;
      }
      await unsubscribe();
      return "off" as const;
    },
    onSuccess: (next) => {
      setState(next);
      notifications.show({ color: "green", message: next === "on" ? t.account.push.enabled : t.account.push.disabled });
    },
  });
  const denied = toggle.error instanceof PermissionDenied || (supported && Notification.permission === "denied");

  let body;
  if (!supported) {
    body = (
      <Alert color="gray" role="status">
        {t.account.push.unsupported}
      </Alert>
    );
  } else if (key.isPending || state === "checking") {
    body = <Loading />;
  } else if (key.isError) {
    body = <ErrorState error={key.error} onRetry={() => key.refetch()} />;
  } else if (!key.data.public_key) {
    body = (
      <Alert color="gray" role="status">
        {t.account.push.serverOff}
      </Alert>
    );
  } else {
    body = (
      <Stack gap="sm" align="flex-start">
        <Text size="sm" role="status">
          {state === "on" ? t.account.push.on : t.account.push.off}
        </Text>
        {denied && (
          <Alert color="yellow" role="alert">
            {t.account.push.denied}
          </Alert>
        )}
        {toggle.isError && !(toggle.error instanceof PermissionDenied) && (
          <Alert color="red" role="alert">
            {messageOf(toggle.error)}
          </Alert>
        )}
        <Button variant={state === "on" ? "default" : "filled"} loading={toggle.isPending} onClick={() => toggle.mutate(state !== "on")}>
          {state === "on" ? t.account.push.disable : t.account.push.enable}
        </Button>
      </Stack>
    );
  }
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="push-title">
      <Stack>
        <Title order={2} size="h3" id="push-title">
          {t.account.push.title}
        </Title>
        <Text size="sm">{t.account.push.intro}</Text>
        {body}
      </Stack>
    </Paper>
  );
}
