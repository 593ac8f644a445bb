import { Alert, Anchor, Button, Paper, Radio, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { api } from "../api/client";
import { messageOf, unwrap } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { NewPasswordInput } from "../components/PasswordFields";
import { t } from "../i18n";
import { browserZone, supportedZones } from "../time/zones";

export function RegisterPage() {
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const zones = useMemo(() => supportedZones(), []);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [timezone, setTimezone] = useState(browserZone());
  const [role, setRole] = useState<"client" | "professional">("client");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      unwrap(
        await api.POST("/api/v1/auth/register", {
          body: { name, email, password, timezone, role, locale: navigator.language || "en" },
        }),
      );
      await signIn(email, password);
      notifications.show({ message: t.auth.registered, color: "green" });
      navigate("/", { replace: true });
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper maw={480} mx="auto" p="lg" withBorder>
      <form onSubmit={submit} aria-labelledby="register-title">
        <Stack>
          <Title order={1} size="h2" id="register-title">
            {t.auth.registerTitle}
          </Title>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <TextInput label={t.auth.name} autoComplete="name" required maxLength={200} value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <TextInput label={t.auth.email} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <NewPasswordInput label={t.auth.password} value={password} onChange={setPassword} />
          <Select label={t.auth.timezone} data={zones} searchable required value={timezone} onChange={(value) => value && setTimezone(value)} />
          <Radio.Group label={t.auth.role} value={role} onChange={(value) => setRole(value === "professional" ? "professional" : "client")}>
            <Stack gap="xs" mt="xs">
              <Radio value="client" label={t.auth.roleClient} />
              <Radio value="professional" label={t.auth.roleProfessional} />
            </Stack>
          </Radio.Group>
          <Button type="submit" loading={busy}>
            {t.auth.submitRegister}
          </Button>
          <Text size="sm">
            {t.auth.haveAccount}{" "}
            <Anchor component={Link} to="/signin">
              {t.app.signIn}
            </Anchor>
          </Text>
        </Stack>
      </form>
    </Paper>
  );
}
