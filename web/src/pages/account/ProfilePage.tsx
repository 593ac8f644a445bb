import { Alert, Button, Group, Select, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { api, type Schemas } from "../../api/client";
import { messageOf, unwrap } from "../../api/problem";
import { useAuth } from "../../auth/AuthContext";
import { Loading } from "../../components/States";
import { t } from "../../i18n";
import { supportedZones } from "../../time/zones";
import { AccountSection } from "./AccountSection";

type Account = Schemas["AccountOut"];
type Update = Schemas["AccountUpdate"];

/** Only what changed goes to PATCH /me; an emptied photo address removes the photo. */
export function profileChanges(saved: Account, edited: { name: string; timezone: string; locale: string; avatar_url: string }): Update {
  const update: Update = {};
  if (edited.name.trim() !== saved.name) update.name = edited.name.trim();
  if (edited.timezone !== saved.timezone) update.timezone = edited.timezone;
  if (edited.locale.trim() !== saved.locale) update.locale = edited.locale.trim();
  const avatar = edited.avatar_url.trim() || null;
  if (avatar !== saved.avatar_url) update.avatar_url = avatar;
  return update;
}

export function ProfilePage() {
  const { user } = useAuth();
  if (!user) return <Loading />;
  return (
    <Stack>
      <ProfileForm key={user.id} account={user} />
      <EmailStatus account={user} />
    </Stack>
  );
}

function ProfileForm({ account }: { account: Account }) {
  const queryClient = useQueryClient();
  const zones = useMemo(() => supportedZones(), []);
  const [form, setForm] = useState({ name: account.name, timezone: account.timezone, locale: account.locale, avatar_url: account.avatar_url ?? "" });
  const save = useMutation({
    mutationFn: async () => unwrap(await api.PATCH("/api/v1/me", { body: profileChanges(account, form) })),
    onSuccess: (saved) => {
      queryClient.setQueryData(["me"], saved);
      notifications.show({ color: "green", message: t.account.profile.saved });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }
  const set = (field: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [field]: value }));
  return (
    <AccountSection titleId="profile-title" title={t.account.profile.title} error={save.error} onSubmit={submit}>
      <TextInput label={t.account.profile.name} required maxLength={200} autoComplete="name" value={form.name} onChange={(e) => set("name")(e.currentTarget.value)} />
      <TextInput label={t.account.profile.email} value={account.email} readOnly />
      <Select
        label={t.account.profile.zone}
        description={t.account.profile.zoneHint}
        data={zones.includes(form.timezone) ? zones : [form.timezone, ...zones]}
        searchable
        allowDeselect={false}
        value={form.timezone}
        onChange={(value) => value && set("timezone")(value)}
      />
      <TextInput label={t.account.profile.locale} description={t.account.profile.localeHint} maxLength={35} value={form.locale} onChange={(e) => set("locale")(e.currentTarget.value)} />
      <TextInput label={t.account.profile.avatar} description={t.account.profile.avatarHint} type="url" maxLength={2048} value={form.avatar_url} onChange={(e) => set("avatar_url")(e.currentTarget.value)} />
      <Group justify="flex-end">
        <Button type="submit" loading={save.isPending}>
          {t.account.profile.save}
        </Button>
      </Group>
    </AccountSection>
  );
}

function EmailStatus({ account }: { account: Account }) {
  const resend = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/auth/verify-email/resend")),
    onSuccess: () => notifications.show({ color: "green", message: t.account.profile.resent }),
  });
  if (account.email_verified) {
    return (
      <Text size="sm" c="teal.9" role="status">
        {t.account.profile.verified}
      </Text>
    );
  }
  return (
    <Alert color="yellow" title={t.account.profile.unverified}>
      <Stack gap="xs" align="flex-start">
        {resend.isError && (
          <Text size="sm" c="red" role="alert">
            {messageOf(resend.error)}
          </Text>
        )}
        {resend.isSuccess ? (
          <Text size="sm" role="status">
            {t.account.profile.resent}
          </Text>
        ) : (
          <Button size="xs" variant="light" loading={resend.isPending} onClick={() => resend.mutate()}>
            {t.account.profile.resend}
          </Button>
        )}
      </Stack>
    </Alert>
  );
}
