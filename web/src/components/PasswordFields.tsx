import { PasswordInput } from "@mantine/core";
import { t } from "../i18n";

/** Whether the repeated password, once typed, differs from the new one. */
export function mismatched(password: string, repeat: string): boolean {
  return repeat.length > 0 && repeat !== password;
}

/** A new password's field, held to the server's rule on length (the hint says it). */
export function NewPasswordInput({ label, value, onChange }: { label: string; value: string; onChange: (value: string) => void }) {
  return (
    <PasswordInput
      label={label}
      description={t.auth.passwordHint}
      autoComplete="new-password"
      required
      minLength={10}
      maxLength={256}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}

/** The field that repeats a new password; it says so while the two differ. */
export function RepeatPasswordInput({ label, password, value, onChange }: { label: string; password: string; value: string; onChange: (value: string) => void }) {
  return (
    <PasswordInput
      label={label}
      autoComplete="new-password"
      required
      value={value}
      error={mismatched(password, value) ? t.account.security.mismatch : undefined}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}
