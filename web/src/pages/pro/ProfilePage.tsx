import { Anchor, Button, Card, Checkbox, Grid, Group, MultiSelect, Select, Stack, Switch, Text, Textarea, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { api } from "../../api/client";
import { unwrap } from "../../api/problem";
import { useAuth } from "../../auth/AuthContext";
import { ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { browserZone, supportedZones } from "../../time/zones";
import { SaveFeedback } from "./SaveFeedback";
import { useFieldErrors } from "./useFieldErrors";
import { countryCodes, languageName, LANGUAGES, profileBody, profileProblems, profileToForm, serverFieldErrors, SPECIALTIES, type Profile, type ProfileField, type ProfileForm } from "./profile";
import { proKeys, useMyProfile } from "./queries";

const s = t.pro.profile;

export function ProfilePage() {
  const profile = useMyProfile();
  const { user } = useAuth();
  if (profile.isPending) return <Loading />;
  if (profile.isError) return <ErrorState error={profile.error} onRetry={() => profile.refetch()} />;
  return (
    <Stack gap="lg">
      <div>
        <Title order={1}>{profile.data ? s.title : s.createTitle}</Title>
        <Text c="dimmed">{s.intro}</Text>
        {profile.data?.published && (
          <Anchor component={Link} to={`/professionals/${profile.data.id}`} size="sm">
            {s.viewPublic}
          </Anchor>
        )}
      </div>
      <ProfileEditor
        key={profile.data?.id ?? "new"}
        profile={profile.data}
        fallback={{ name: user?.name ?? "", timezone: user?.timezone ?? browserZone(), locale: user?.locale }}
        accountZone={user?.timezone ?? null}
      />
    </Stack>
  );
}

function ProfileEditor({
  profile,
  fallback,
  accountZone,
}: {
  profile: Profile | null;
  fallback: { name: string; timezone: string; locale?: string };
  accountZone: string | null;
}) {
  const queryClient = useQueryClient();
  const [alsoAccount, setAlsoAccount] = useState(false);
  const [form, setForm] = useState<ProfileForm>(() => profileToForm(profile, fallback));
  const zones = useMemo(() => supportedZones(), []);
  const countries = useMemo(() => countryCodes(), []);
  const languages = useMemo(
    () => [...new Set([...LANGUAGES, ...form.languages])].map((code) => ({ value: code, label: languageName(code) })).sort((a, b) => a.label.localeCompare(b.label)),
    [form.languages],
  );
  const specialties = SPECIALTIES.map((slug) => ({ value: slug, label: s.specialtyNames[slug] ?? slug }));
  const save = useMutation({
    mutationFn: async () => {
      const saved = unwrap(await api.PUT("/api/v1/me/professional", { body: profileBody(form) }));
      // The account's zone is what mail and notifications are written in; the professional may align it here.
      if (alsoAccount && accountZone !== form.timezone) unwrap(await api.PATCH("/api/v1/me", { body: { timezone: form.timezone } }));
      return saved;
    },
    onSuccess: async (saved) => {
      setAlsoAccount(false);
      notifications.show({ color: "green", message: s.saved });
      queryClient.setQueryData(proKeys.profile, saved);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ["professional", saved.id] }),
        queryClient.invalidateQueries({ queryKey: ["professionals"] }),
        queryClient.invalidateQueries({ queryKey: ["slots"] }),
        queryClient.invalidateQueries({ queryKey: ["me"] }),
      ]);
    },
    // The profile may be saved even when the account's zone was not.
    onError: () => queryClient.invalidateQueries({ queryKey: proKeys.profile }),
  });
  const problems = profileProblems(form);
  const fromServer = serverFieldErrors(save.error);
  const { error, submit, showProblems } = useFieldErrors(problems, fromServer, s.problems);
  const set = <K extends ProfileField>(field: K, value: ProfileForm[K]) => setForm((current) => ({ ...current, [field]: value }));
  return (
    <form
      noValidate
      onSubmit={submit(() => save.mutate())}
    >
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card withBorder component="section" aria-labelledby="about-you">
            <Title order={2} size="h3" id="about-you" mb="sm">
              {s.aboutTitle}
            </Title>
            <Stack gap="sm">
              <TextInput label={s.displayName} required maxLength={120} value={form.display_name} onChange={(e) => set("display_name", e.currentTarget.value)} error={error("display_name")} />
              <TextInput
                label={s.headline}
                description={s.headlineHint}
                maxLength={200}
                value={form.headline}
                onChange={(e) => set("headline", e.currentTarget.value)}
                error={error("headline")}
              />
              <Textarea
                label={s.bio}
                description={s.bioHint(form.bio.length)}
                maxLength={5000}
                autosize
                minRows={5}
                maxRows={16}
                value={form.bio}
                onChange={(e) => set("bio", e.currentTarget.value)}
                error={error("bio")}
              />
              <TextInput
                label={s.photoUrl}
                description={s.photoUrlHint}
                type="url"
                value={form.photo_url}
                onChange={(e) => set("photo_url", e.currentTarget.value)}
                error={error("photo_url")}
              />
            </Stack>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="lg">
            <Card withBorder component="section" aria-labelledby="practice-details">
              <Title order={2} size="h3" id="practice-details" mb="sm">
                {s.detailsTitle}
              </Title>
              <Stack gap="sm">
                <MultiSelect
                  label={s.specialties}
                  description={s.specialtiesHint}
                  data={specialties}
                  value={form.specialties}
                  onChange={(value) => set("specialties", value)}
                  maxValues={10}
                  searchable
                  clearable
                  error={error("specialties")}
                />
                <MultiSelect
                  label={s.languages}
                  required
                  data={languages}
                  value={form.languages}
                  onChange={(value) => set("languages", value)}
                  maxValues={10}
                  searchable
                  error={error("languages")}
                />
                <Select
                  label={s.timezone}
                  description={s.timezoneHint}
                  required
                  data={zones.includes(form.timezone) || !form.timezone ? zones : [form.timezone, ...zones]}
                  value={form.timezone}
                  onChange={(value) => value && set("timezone", value)}
                  searchable
                  allowDeselect={false}
                  error={error("timezone")}
                />
                {accountZone !== null && accountZone !== form.timezone && (
                  <Checkbox
                    label={s.alsoAccountZone(accountZone)}
                    checked={alsoAccount}
                    onChange={(e) => setAlsoAccount(e.currentTarget.checked)}
                  />
                )}
                <Select
                  label={s.country}
                  required
                  data={countries}
                  value={form.country || null}
                  onChange={(value) => set("country", value ?? "")}
                  searchable
                  error={error("country")}
                />
              </Stack>
            </Card>
            <Card withBorder component="section" aria-labelledby="visibility">
              <Title order={2} size="h3" id="visibility" mb="sm">
                {s.visibilityTitle}
              </Title>
              <Switch label={s.published} description={s.publishedHint} checked={form.published} onChange={(e) => set("published", e.currentTarget.checked)} />
            </Card>
          </Stack>
        </Grid.Col>
      </Grid>
      <Stack gap="sm" mt="lg">
        <SaveFeedback error={save.error} failedTitle={s.saveFailed} problems={showProblems ? s.fixProblems : null} />
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            {profile ? s.save : s.create}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
