import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import { messageOf } from "../api/problem";
import { t } from "../i18n";

export function Loading({ label = t.states.loading }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Stack align="center" gap="xs">
        <Loader size="sm" aria-hidden />
        <Text size="sm" c="dimmed">
          {label}
        </Text>
      </Stack>
    </Center>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <Alert color="red" title={t.states.error} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{messageOf(error)}</Text>
        {onRetry && (
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            {t.states.retry}
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function Empty({ children }: { children: string }) {
  return (
    <Text c="dimmed" py="md" ta="center">
      {children}
    </Text>
  );
}

/** What went wrong with an action (saving, sending, removing), as an alert; nothing while `error` is null. */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert" title={title}>
      {messageOf(error)}
    </Alert>
  );
}
