import { Text, Title } from "@mantine/core";

/** A professional's page heading, with the note that its times are in the profile's zone. */
export function ProPageHeader({ title, zoneNote }: { title: string; zoneNote: string }) {
  return (
    <div>
      <Title order={1}>{title}</Title>
      <Text c="dimmed">{zoneNote}</Text>
    </div>
  );
}
