import { Alert, Button, Paper, Stack, Title } from "@mantine/core";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { messageOf } from "../api/problem";

/** The card of the sign-in and registration forms: a title, the server's problem if the last try failed, the fields,
 * a submit button busy while `onSubmit` runs, and what follows it (links to the other forms). */
export function AuthForm({
  title,
  submitLabel,
  width,
  onSubmit,
  children,
  footer,
}: {
  title: string;
  submitLabel: string;
  width: number;
  onSubmit: () => Promise<void>;
  children: ReactNode;
  footer: ReactNode;
}) {
  const titleId = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper maw={width} mx="auto" p="lg" withBorder>
      <form onSubmit={submit} aria-labelledby={titleId}>
        <Stack>
          <Title order={1} size="h2" id={titleId}>
            {title}
          </Title>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          {children}
          <Button type="submit" loading={busy}>
            {submitLabel}
          </Button>
          {footer}
        </Stack>
      </form>
    </Paper>
  );
}
