import { Anchor, PasswordInput, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { useAuth } from "../auth/AuthContext";
import { AuthForm } from "../components/AuthForm";
import { t } from "../i18n";

export function SignInPage() {
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const next = (location.state as { from?: string } | null)?.from ?? "/";
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  return (
    <AuthForm
      title={t.auth.signInTitle}
      submitLabel={t.auth.submitSignIn}
      width={420}
      onSubmit={async () => {
        await signIn(email, password);
        navigate(next, { replace: true });
      }}
      footer={
        <>
          <Anchor component={Link} to="/forgot-password" size="sm">
            {t.account.forgot.link}
          </Anchor>
          <Text size="sm">
            {t.auth.noAccount}{" "}
            <Anchor component={Link} to="/register">
              {t.app.register}
            </Anchor>
          </Text>
        </>
      }
    >
      <TextInput label={t.auth.email} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
      <PasswordInput label={t.auth.password} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
    </AuthForm>
  );
}
