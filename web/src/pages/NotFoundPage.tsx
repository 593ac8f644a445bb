import { Anchor, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { t } from "../i18n";

export function NotFoundPage() {
  return (
    <Stack align="center" py="xl">
      <Title order={1}>404</Title>
      <Text>{t.states.notFound}</Text>
      <Anchor component={Link} to="/">
        {t.states.backHome}
      </Anchor>
    </Stack>
  );
}
