import { Alert, Anchor, Button, Group, Stack } from "@mantine/core";
import { Suspense } from "react";
import { Link, NavLink, Outlet, useLocation } from "react-router";
import { useAuth } from "../../auth/AuthContext";
import { ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { isProfessional, useMyProfile } from "./queries";

const SECTIONS = [
  { to: "/pro/calendar", label: t.pro.sections.calendar },
  { to: "/pro/availability", label: t.pro.sections.availability },
  { to: "/pro/offerings", label: t.pro.sections.offerings },
  { to: "/pro/profile", label: t.pro.sections.profile },
  { to: "/pro/earnings", label: t.pro.sections.earnings },
];

/** The frame of the professional's pages: who may see them, their own navigation, and a nudge to create the profile
 * that everything else needs. */
export function ProLayout() {
  const { user, loading } = useAuth();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!user) {
    return (
      <Alert color="yellow" title={t.pro.signInTitle}>
        <Anchor component={Link} to="/signin" state={{ from: location.pathname }}>
          {t.pro.signIn}
        </Anchor>
      </Alert>
    );
  }
  if (!isProfessional(user.role)) return <Alert color="yellow">{t.pro.notProfessional}</Alert>;
  return (
    <Stack gap="md">
      <Group component="nav" aria-label={t.pro.sectionsLabel} gap={4}>
          {SECTIONS.map((section) => (
            <Button
              key={section.to}
              component={NavLink}
              to={section.to}
              variant={location.pathname.startsWith(section.to) ? "light" : "subtle"}
              size="compact-md"
            >
              {section.label}
            </Button>
          ))}
      </Group>
      <ProfileNudge />
      <Suspense fallback={<Loading />}>
        <Outlet />
      </Suspense>
    </Stack>
  );
}

function ProfileNudge() {
  const profile = useMyProfile();
  const location = useLocation();
  if (profile.isError) return <ErrorState error={profile.error} onRetry={() => profile.refetch()} />;
  if (profile.data !== null || location.pathname === "/pro/profile") return null;
  return (
    <Alert color="blue" title={t.pro.profileFirstTitle}>
      <Stack gap="xs" align="flex-start">
        {t.pro.profileFirst}
        <Button component={Link} to="/pro/profile" size="xs">
          {t.pro.createProfile}
        </Button>
      </Stack>
    </Alert>
  );
}
