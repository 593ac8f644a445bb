import { Text } from "@mantine/core";
import { ErrorAlert } from "../../components/States";

/** Above a form's save button: why the last save failed, and `problems` (what to fix first) while the form is not valid. */
export function SaveFeedback({ error, failedTitle, problems }: { error: unknown; failedTitle: string; problems: string | null }) {
  return (
    <>
      <ErrorAlert error={error} title={failedTitle} />
      {problems && (
        <Text size="sm" c="red" role="status">
          {problems}
        </Text>
      )}
    </>
  );
}
