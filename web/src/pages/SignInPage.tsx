import { Alert, Anchor, Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { messageOf } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { t } from "../i18n";

export function SignInPage() {
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const next = (location.state as { from?: string } | null)?.from ?? "/";
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
      navigate(next, { replace: true });
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper maw={420} mx="auto" p="lg" withBorder>
      <form onSubmit={submit} aria-labelledby="signin-title">
        <Stack>
          <Title order={1} size="h2" id="signin-title">
            {t.auth.signInTitle}
          </Title>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <TextInput label={t.auth.email} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <PasswordInput label={t.auth.password} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
          <Button type="submit" loading={busy}>
            {t.auth.submitSignIn}
          </Button>
          <Anchor component={Link} to="/forgot-password" size="sm">
            {t.account.forgot.link}
          </Anchor>
          <Text size="sm">
            {t.auth.noAccount}{" "}
            <Anchor component={Link} to="/register">
              {t.app.register}
            </Anchor>
          </Text>
        </Stack>
      </form>
    </Paper>
  );
}
