import { Anchor, AppShell, Burger, Button, Group, Stack, Text, VisuallyHidden } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { NavLink, Outlet, useNavigate } from "react-router";
import { useAuth } from "../auth/AuthContext";
import { t } from "../i18n";
import { NotificationBell } from "../features/notifications/NotificationBell";
import { ProNavLinks } from "../pages/pro/routes";

function Bell() {
  const { user } = useAuth();
  return user ? <NotificationBell /> : null;
}

function NavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const { user } = useAuth();
  return (
    <>
      <Anchor component={NavLink} to="/" end onClick={onNavigate}>
        {t.app.search}
      </Anchor>
      {user && (
        <Anchor component={NavLink} to="/bookings" onClick={onNavigate}>
          {t.app.bookings}
        </Anchor>
      )}
      {user && <ProNavLinks onNavigate={onNavigate} />}
      {user && (
        <Anchor component={NavLink} to="/account" onClick={onNavigate}>
          {t.account.nav}
        </Anchor>
      )}
    </>
  );
}

function Account({ onNavigate }: { onNavigate?: () => void }) {
  const { user, loading, signOut } = useAuth();
  const navigate = useNavigate();
  if (loading) return null;
  if (!user) {
    return (
      <>
        <Button component={NavLink} to="/signin" variant="default" size="xs" onClick={onNavigate}>
          {t.app.signIn}
        </Button>
        <Button component={NavLink} to="/register" size="xs" onClick={onNavigate}>
          {t.app.register}
        </Button>
      </>
    );
  }
  return (
    <>
      <Text size="sm" fw={500}>
        <VisuallyHidden>{t.app.signedInAs("")}</VisuallyHidden>
        {user.name}
      </Text>
      <Button
        variant="default"
        size="xs"
        onClick={async () => {
          await signOut();
          onNavigate?.();
          navigate("/");
        }}
      >
        {t.app.signOut}
      </Button>
    </>
  );
}

export function Shell() {
  const [opened, { toggle, close }] = useDisclosure(false);
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 260, breakpoint: "sm", collapsed: { desktop: true, mobile: !opened } }} padding="md">
      <a href="#main" className="skip-link">
        {t.app.skipToContent}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t.app.toggleNavigation} />
            <Anchor component={NavLink} to="/" fw={700} size="lg" underline="never">
              {t.app.name}
            </Anchor>
            <Group component="nav" aria-label={t.app.mainNavigation} gap="md" visibleFrom="sm">
              <NavLinks />
            </Group>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Bell />
            <Group gap="xs" visibleFrom="sm" wrap="nowrap">
              <Account />
            </Group>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="md" hiddenFrom="sm">
        <Stack component="nav" aria-label={t.app.mainNavigation} gap="sm">
          <NavLinks onNavigate={close} />
          <Account onNavigate={close} />
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
