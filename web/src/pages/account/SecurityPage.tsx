import { Badge, Button, Card, Group, PasswordInput, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, type Schemas } from "../../api/client";
import { unwrap } from "../../api/problem";
import { mismatched, NewPasswordInput, RepeatPasswordInput } from "../../components/PasswordFields";
import { Empty, ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { browserZone, formatDateTime } from "../../time/zones";
import { AccountSection } from "./AccountSection";

type Session = Schemas["accounts_schemas_SessionOut"];

export function SecurityPage() {
  return (
    <Stack>
      <ChangePassword />
      <Sessions />
    </Stack>
  );
}

function ChangePassword() {
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const change = useMutation({
    mutationFn: async () => {
      const { error, response } = await api.POST("/api/v1/auth/password/change", { body: { current_password: current, new_password: next } });
      if (!response.ok) unwrap({ error, response });
    },
    onSuccess: async () => {
      setCurrent("");
      setNext("");
      setRepeat("");
      notifications.show({ color: "green", message: t.account.security.changed });
      await queryClient.invalidateQueries({ queryKey: ["sessions"] });
    },
  });
  const mismatch = mismatched(next, repeat);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (next !== repeat) return;
    change.mutate();
  }
  return (
    <AccountSection titleId="password-title" title={t.account.security.passwordTitle} error={change.error} onSubmit={submit}>
      <PasswordInput label={t.account.security.current} autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.currentTarget.value)} />
      <NewPasswordInput label={t.account.security.next} value={next} onChange={setNext} />
      <RepeatPasswordInput label={t.account.security.repeat} password={next} value={repeat} onChange={setRepeat} />
      <Group justify="flex-end">
        <Button type="submit" loading={change.isPending} disabled={mismatch}>
          {t.account.security.change}
        </Button>
      </Group>
    </AccountSection>
  );
}

/** A short name for a browser from its user agent ("Firefox on Linux"); the raw string when nothing matches. */
export function deviceName(userAgent: string): string {
  if (!userAgent) return t.account.security.unknownDevice;
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrome\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : null;
  const system = /Android/.test(userAgent)
    ? "Android"
    : /iPhone|iPad/.test(userAgent)
      ? "iOS"
      : /Windows/.test(userAgent)
        ? "Windows"
        : /Mac OS X/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  if (browser && system) return `${browser} · ${system}`;
  return browser ?? system ?? userAgent.slice(0, 60);
}

function Sessions() {
  const zone = browserZone();
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: ["sessions"], queryFn: async () => unwrap(await api.GET("/api/v1/auth/sessions")) });
  const end = useMutation({
    mutationFn: async (session: Session) => {
      const { error, response } = await api.DELETE("/api/v1/auth/sessions/{session_id}", { params: { path: { session_id: session.id } } });
      if (!response.ok) unwrap({ error, response });
    },
    onSuccess: async () => {
      notifications.show({ color: "green", message: t.account.security.ended });
      await queryClient.invalidateQueries({ queryKey: ["sessions"] });
    },
  });
  return (
    <AccountSection titleId="sessions-title" title={t.account.security.sessionsTitle} error={end.error}>
      {sessions.isPending ? (
        <Loading />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => sessions.refetch()} />
      ) : sessions.data.length === 0 ? (
        <Empty>{t.account.security.sessionsEmpty}</Empty>
      ) : (
        <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: "none" }}>
          {sessions.data.map((session) => {
            const device = deviceName(session.user_agent);
            return (
              <Card key={session.id} withBorder padding="sm" component="li">
                <Group justify="space-between" gap="xs">
                  <Stack gap={2} style={{ minWidth: 0 }}>
                    <Group gap="xs">
                      <Text fw={600} size="sm">
                        {device}
                      </Text>
                      {session.current && (
                        <Badge size="sm" variant="light">
                          {t.account.security.thisDevice}
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed">
                      {t.account.security.lastUsed(formatDateTime(session.last_used_at, zone))} {session.ip && t.account.security.fromIp(session.ip)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {t.account.security.since(formatDateTime(session.created_at, zone))}
                    </Text>
                  </Stack>
                  {!session.current && (
                    <Button
                      size="xs"
                      variant="light"
                      color="red"
                      aria-label={t.account.security.endSessionOf(device)}
                      loading={end.isPending && end.variables?.id === session.id}
                      onClick={() => end.mutate(session)}
                    >
                      {t.account.security.endSession}
                    </Button>
                  )}
                </Group>
              </Card>
            );
          })}
        </Stack>
      )}
    </AccountSection>
  );
}
