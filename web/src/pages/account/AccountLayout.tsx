import { Button, Group, Stack, Title } from "@mantine/core";
import { Navigate, NavLink, Outlet, useLocation } from "react-router";
import { useAuth } from "../../auth/AuthContext";
import { Loading } from "../../components/States";
import { t } from "../../i18n";

const SECTIONS = [
  { to: "/account", label: () => t.account.tabs.profile },
  { to: "/account/security", label: () => t.account.tabs.security },
  { to: "/account/notifications", label: () => t.account.tabs.notifications },
];

/** /account: the signed-in person's profile, security and notification settings. */
export function AccountLayout() {
  const { user, loading } = useAuth();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!user) return <Navigate to="/signin" replace state={{ from: location.pathname }} />;
  return (
    <Stack maw={880} mx="auto" w="100%">
      <Title order={1}>{t.account.title}</Title>
      <Group component="nav" aria-label={t.account.sections} gap="xs">
        {SECTIONS.map(({ to, label }) => (
          <Button key={to} component={NavLink} to={to} end size="compact-md" variant={location.pathname === to ? "light" : "subtle"}>
            {label()}
          </Button>
        ))}
      </Group>
      <Outlet />
    </Stack>
  );
}
