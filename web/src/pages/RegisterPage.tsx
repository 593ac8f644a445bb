import { Anchor, Radio, Select, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMemo, useState } from "react";
import { Link, useNavigate } from "react-router";
import { api } from "../api/client";
import { unwrap } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { AuthForm } from "../components/AuthForm";
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
  const register = async () => {
    unwrap(
      await api.POST("/api/v1/auth/register", {
        body: { name, email, password, timezone, role, locale: navigator.language || "en" },
      }),
    );
    await signIn(email, password);
    notifications.show({ message: t.auth.registered, color: "green" });
    navigate("/", { replace: true });
  };

  return (
    <AuthForm
      title={t.auth.registerTitle}
      submitLabel={t.auth.submitRegister}
      width={480}
      onSubmit={register}
      footer={
        <Text size="sm">
          {t.auth.haveAccount}{" "}
          <Anchor component={Link} to="/signin">
            {t.app.signIn}
          </Anchor>
        </Text>
      }
    >
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
    </AuthForm>
  );
}
