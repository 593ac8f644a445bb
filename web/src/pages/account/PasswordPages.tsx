import { Alert, Anchor, Button, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { Link, useSearchParams } from "react-router";
import { api } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { mismatched, NewPasswordInput, RepeatPasswordInput } from "../../components/PasswordFields";
import { ErrorAlert, Loading } from "../../components/States";
import { t } from "../../i18n";

function Panel({ titleId, title, children }: { titleId: string; title: string; children: ReactNode }) {
  return (
    <Paper maw={440} mx="auto" p="lg" withBorder component="section" aria-labelledby={titleId}>
      <Stack>
        <Title order={1} size="h2" id={titleId}>
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}

/** The token of a mail's link (`?token=…`), and whether it is long enough to be one. */
function useLinkToken() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  return { token, present: token.length >= 16 };
}

/** /forgot-password: the same answer whether or not the address has an account (the server's rule). */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState("");
  const forgot = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/auth/password/forgot", { body: { email } })),
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    forgot.mutate();
  }
  return (
    <Panel titleId="forgot-title" title={t.account.forgot.title}>
      {forgot.isSuccess ? (
        <Alert color="green" role="status">
          {forgot.data.detail || t.account.forgot.sent}
        </Alert>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <Text size="sm">{t.account.forgot.intro}</Text>
            <ErrorAlert error={forgot.error} />
            <TextInput label={t.account.forgot.email} type="email" autoComplete="email" required maxLength={320} value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
            <Button type="submit" loading={forgot.isPending}>
              {t.account.forgot.submit}
            </Button>
          </Stack>
        </form>
      )}
      <Anchor component={Link} to="/signin" size="sm">
        {t.account.forgot.back}
      </Anchor>
    </Panel>
  );
}

/** /reset-password?token=…: the link of the reset mail (accounts module, LINK_PATHS). */
export function ResetPasswordPage() {
  const { token, present } = useLinkToken();
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const reset = useMutation({
    mutationFn: async () => {
      const { error, response } = await api.POST("/api/v1/auth/password/reset", { body: { token, new_password: password } });
      if (!response.ok) unwrap({ error, response });
    },
  });
  const mismatch = mismatched(password, repeat);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (password === repeat) reset.mutate();
  }
  if (!present) {
    return (
      <Panel titleId="reset-title" title={t.account.reset.title}>
        <Alert color="red" role="alert">
          {t.account.reset.noToken}
        </Alert>
        <Anchor component={Link} to="/forgot-password">
          {t.account.reset.askAgain}
        </Anchor>
      </Panel>
    );
  }
  return (
    <Panel titleId="reset-title" title={t.account.reset.title}>
      {reset.isSuccess ? (
        <>
          <Alert color="green" role="status">
            {t.account.reset.done}
          </Alert>
          <Button component={Link} to="/signin">
            {t.app.signIn}
          </Button>
        </>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            {reset.isError && (
              <Alert color="red" role="alert">
                <Stack gap={4} align="flex-start">
                  <Text size="sm">{messageOf(reset.error)}</Text>
                  <Anchor component={Link} to="/forgot-password" size="sm">
                    {t.account.reset.askAgain}
                  </Anchor>
                </Stack>
              </Alert>
            )}
            <NewPasswordInput label={t.account.reset.password} value={password} onChange={setPassword} />
            <RepeatPasswordInput label={t.account.reset.repeat} password={password} value={repeat} onChange={setRepeat} />
            <Button type="submit" loading={reset.isPending} disabled={mismatch}>
              {t.account.reset.submit}
            </Button>
          </Stack>
        </form>
      )}
    </Panel>
  );
}

/** /verify-email?token=…: the link of the verification mail; verifies on opening. */
export function VerifyEmailPage() {
  const { token, present } = useLinkToken();
  const verify = useQuery({
    queryKey: ["verify-email", token],
    queryFn: async () => unwrap(await api.POST("/api/v1/auth/verify-email", { body: { token } })),
    enabled: present,
    retry: false,
    staleTime: Infinity,
  });
  return (
    <Panel titleId="verify-title" title={t.account.verify.title}>
      {!present ? (
        <Alert color="red" role="alert">
          {t.account.verify.noToken}
        </Alert>
      ) : verify.isPending ? (
        <Loading label={t.account.verify.working} />
      ) : verify.isError ? (
        <ErrorAlert error={verify.error} />
      ) : (
        <Alert color="green" role="status">
          {t.account.verify.done}
        </Alert>
      )}
      <Anchor component={Link} to="/">
        {t.account.verify.continue}
      </Anchor>
    </Panel>
  );
}
