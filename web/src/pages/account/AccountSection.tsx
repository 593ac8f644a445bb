import { Paper, Stack, Title } from "@mantine/core";
import type { FormEvent, ReactNode } from "react";
import { ErrorAlert } from "../../components/States";

/** One titled part of the account settings, with the failure of its last action under the title; a form when `onSubmit` is given. */
export function AccountSection({ titleId, title, error, onSubmit, children }: { titleId: string; title: string; error: unknown; onSubmit?: (event: FormEvent) => void; children: ReactNode }) {
  const body = (
    <Stack>
      <Title order={2} size="h3" id={titleId}>
        {title}
      </Title>
      <ErrorAlert error={error} />
      {children}
    </Stack>
  );
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={titleId}>
      {onSubmit ? <form onSubmit={onSubmit}>{body}</form> : body}
    </Paper>
  );
}
