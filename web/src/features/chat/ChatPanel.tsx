import { Alert, Box, Button, Group, Paper, Stack, Text, Textarea, Title } from "@mantine/core";
import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { api } from "../../api/client";
import { ApiError, messageOf, unwrap } from "../../api/problem";
import { useAuth } from "../../auth/AuthContext";
import { ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { useRealtime, type RealtimeMessage } from "../../realtime";
import { browserZone, formatDateTime, formatTime } from "../../time/zones";
import { useNow } from "../../time/useNow";
import { editable, isChatMessage, mergeMessages, type ChatMessage } from "./messages";

const MAX_LENGTH = 4000;
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 5000;

export interface ChatPanelProps {
  /** A booking's id or a class session's id: a conversation is named after what it is about. */
  conversationId: string;
  /** Display names by user id (the other party's, when known); anyone else is "the other participant". */
  names?: Record<string, string>;
  /** The panel's heading (default "Messages"); `null` for none, when the page already has one. */
  title?: string | null;
  autoFocus?: boolean;
  /** The conversation takes no more messages (a cancelled booking): history only. */
  readOnly?: boolean;
}

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const copy = { ...record };
  delete copy[key];
  return copy;
}

function dataOf(message: RealtimeMessage): Record<string, unknown> {
  return typeof message.data === "object" && message.data !== null ? (message.data as Record<string, unknown>) : {};
}

/** A conversation: its history (a page at a time), sending, editing and deleting one's own messages, typing and read
 * receipts, all live from the socket. Bodies are plain text, shown as text: nothing is ever read as markup. */
export function ChatPanel({ conversationId, names = {}, title = t.account.chat.title, autoFocus = false, readOnly = false }: ChatPanelProps) {
  const { user } = useAuth();
  const me = user?.id ?? "";
  const zone = browserZone();
  const titleId = useId();
  const [live, setLive] = useState<ChatMessage[]>([]);
  const [typing, setTyping] = useState<Record<string, number>>({});
  const [readUntil, setReadUntil] = useState<Record<string, string>>({});
  const history = useInfiniteQuery({
    queryKey: ["chat", conversationId],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/v1/conversations/{conversation_id}/messages", {
          params: { path: { conversation_id: conversationId }, query: { cursor: pageParam } },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor,
    // Messages that came while no panel of this conversation was open were heard by nobody: read again on opening.
    refetchOnMount: "always",
  });
  const messages = mergeMessages(...(history.data?.pages.map((p) => p.items) ?? []), live);
  const nameOf = (id: string) => (id === me ? t.account.chat.you : (names[id] ?? t.account.chat.them));

  useRealtime((message) => {
    if (message.type === "ready" && message.reconnected) {
      void history.refetch(); // the socket was away: history has what it may have missed
      return;
    }
    if (!message.type.startsWith("chat.")) return;
    const data = dataOf(message);
    if (data.conversation_id !== conversationId) return;
    if ((message.type === "chat.message" || message.type === "chat.edited" || message.type === "chat.deleted") && isChatMessage(data)) {
      setLive((known) => mergeMessages(known, [data]));
      if (message.type === "chat.message") setTyping((now) => withoutKey(now, data.author_id));
    } else if (message.type === "chat.typing" && typeof data.user_id === "string" && data.user_id !== me) {
      const who = data.user_id;
      setTyping((now) => ({ ...now, [who]: Date.now() + TYPING_SHOWN_MS }));
    } else if (message.type === "chat.read" && typeof data.user_id === "string" && typeof data.read_until === "string" && data.user_id !== me) {
      const who = data.user_id;
      const until = data.read_until;
      setReadUntil((now) => ({ ...now, [who]: until }));
    }
  });

  // Typing indicators fade on their own: a clock ticks while someone is shown typing.
  const now = useNow(1000);
  const typingNames = Object.entries(typing)
    .filter(([, until]) => until > now.getTime())
    .map(([id]) => nameOf(id));

  useMarkRead(conversationId, messages, me);

  const log = useRef<HTMLDivElement>(null);
  const lastId = messages.at(-1)?.id;
  useLayoutEffect(() => {
    const box = log.current;
    if (box) box.scrollTop = box.scrollHeight;
  }, [lastId]);

  const myLast = [...messages].reverse().find((m) => m.author_id === me && !m.deleted);
  const seen = myLast !== undefined && Object.values(readUntil).some((until) => Date.parse(until) >= Date.parse(myLast.created_at));

  return (
    <Paper withBorder p="sm" component="section" aria-labelledby={title ? titleId : undefined} aria-label={title ? undefined : t.account.chat.title}>
      <Stack gap="sm">
        {title && (
          <Title order={2} size="h3" id={titleId}>
            {title}
          </Title>
        )}
        {history.isPending ? (
          <Loading />
        ) : history.isError ? (
          <ErrorState error={history.error} onRetry={() => history.refetch()} />
        ) : (
          <>
            {history.hasNextPage && (
              <Button variant="subtle" size="xs" onClick={() => history.fetchNextPage()} loading={history.isFetchingNextPage}>
                {t.account.chat.earlier}
              </Button>
            )}
            <Box
              ref={log}
              role="log"
              aria-label={t.account.chat.log}
              aria-live="polite"
              aria-relevant="additions text"
              tabIndex={0}
              style={{ maxHeight: "min(60vh, 480px)", overflowY: "auto", overscrollBehavior: "contain" }}
            >
              {messages.length === 0 ? (
                <Text c="dimmed" ta="center" py="md">
                  {t.account.chat.empty}
                </Text>
              ) : (
                <Stack gap="xs" p={4}>
                  {messages.map((message) => (
                    <MessageItem
                      key={message.id}
                      message={message}
                      author={nameOf(message.author_id)}
                      mine={message.author_id === me}
                      canChange={editable(message, me, now)}
                      zone={zone}
                      seen={seen && message.id === myLast?.id}
                    />
                  ))}
                </Stack>
              )}
            </Box>
            <Text size="xs" c="dimmed" aria-live="polite" mih="1.2em">
              {typingNames.length > 0 ? t.account.chat.typing(typingNames.join(", ")) : ""}
            </Text>
            {readOnly ? (
              <Text size="sm" c="dimmed" role="note">
                {t.account.chat.closed}
              </Text>
            ) : (
              <Composer conversationId={conversationId} autoFocus={autoFocus} onSent={(sent) => setLive((known) => mergeMessages(known, [sent]))} />
            )}
          </>
        )}
      </Stack>
    </Paper>
  );
}

/** Tell the server (and so the other side) what has been read: the newest message of others, once seen here. */
function useMarkRead(conversationId: string, messages: ChatMessage[], me: string) {
  const newestOfOthers = [...messages].reverse().find((m) => m.author_id !== me);
  const marked = useRef<string | null>(null);
  const [visible, setVisible] = useState(() => typeof document === "undefined" || document.visibilityState !== "hidden");
  useEffect(() => {
    const changed = () => setVisible(document.visibilityState !== "hidden");
    document.addEventListener("visibilitychange", changed);
    return () => document.removeEventListener("visibilitychange", changed);
  }, []);
  const id = newestOfOthers?.id;
  useEffect(() => {
    if (!id || !me || !visible || marked.current === id) return;
    marked.current = id;
    void api
      .POST("/api/v1/conversations/{conversation_id}/read", { params: { path: { conversation_id: conversationId } }, body: { message_id: id } })
      .catch(() => undefined); // a lost receipt only delays "seen" on the other side
  }, [conversationId, id, me, visible]);
}

function Composer({ conversationId, autoFocus, onSent }: { conversationId: string; autoFocus: boolean; onSent: (message: ChatMessage) => void }) {
  const [body, setBody] = useState("");
  const lastTyping = useRef(0);
  const send = useMutation({
    mutationFn: async (text: string) =>
      unwrap(await api.POST("/api/v1/conversations/{conversation_id}/messages", { params: { path: { conversation_id: conversationId } }, body: { body: text } })),
    onSuccess: (sent) => {
      onSent(sent);
      setBody("");
    },
  });
  const closed = send.error instanceof ApiError && send.error.kind === "chat-closed";

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const text = body.trim();
    if (!text || send.isPending) return;
    send.mutate(text);
  }

  function keyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  function changed(text: string) {
    setBody(text);
    const at = Date.now();
    if (text && at - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = at;
      void api.POST("/api/v1/conversations/{conversation_id}/typing", { params: { path: { conversation_id: conversationId } } }).catch(() => undefined);
    }
  }

  return (
    <form onSubmit={submit}>
      <Stack gap="xs">
        {send.isError && (
          <Alert color={closed ? "gray" : "red"} role="alert" p="xs">
            {closed ? t.account.chat.closed : messageOf(send.error)}
          </Alert>
        )}
        <Group align="flex-end" gap="xs" wrap="nowrap">
          <Textarea
            label={t.account.chat.message}
            description={t.account.chat.messageHint}
            autosize
            minRows={1}
            maxRows={6}
            maxLength={MAX_LENGTH}
            value={body}
            onChange={(e) => changed(e.currentTarget.value)}
            onKeyDown={keyDown}
            style={{ flex: 1, minWidth: 0 }}
            autoFocus={autoFocus}
          />
          <Button type="submit" loading={send.isPending} disabled={!body.trim()}>
            {t.account.chat.send}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function MessageItem({ message, author, mine, canChange, zone, seen }: { message: ChatMessage; author: string; mine: boolean; canChange: boolean; zone: string; seen: boolean }) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [draft, setDraft] = useState(message.body);
  const path = { conversation_id: message.conversation_id, message_id: message.id };
  const edit = useMutation({
    mutationFn: async (text: string) => unwrap(await api.PATCH("/api/v1/conversations/{conversation_id}/messages/{message_id}", { params: { path }, body: { body: text } })),
    onSuccess: () => setEditing(false),
  });
  const remove = useMutation({
    mutationFn: async () => {
      const { error, response } = await api.DELETE("/api/v1/conversations/{conversation_id}/messages/{message_id}", { params: { path } });
      if (!response.ok) unwrap({ error, response });
    },
    onSuccess: () => setConfirming(false),
  });
  const failure = edit.error ?? remove.error;
  return (
    <Box
      style={{ alignSelf: mine ? "flex-end" : "flex-start", maxWidth: "min(85%, 560px)" }}
      bg={mine ? "var(--mantine-primary-color-light)" : "var(--mantine-color-default-hover)"}
      p="xs"
      className="chat-message"
      data-mine={mine || undefined}
    >
      <Group gap={6} wrap="nowrap" justify="space-between">
        <Text size="xs" fw={600}>
          {author}
        </Text>
        <Text size="xs" c="dimmed" component="time" dateTime={message.created_at} title={formatDateTime(message.created_at, zone)}>
          {formatTime(message.created_at, zone)}
          {message.edited_at && !message.deleted ? ` · ${t.account.chat.edited}` : ""}
        </Text>
      </Group>
      {message.deleted ? (
        <Text size="sm" c="dimmed" fs="italic">
          {t.account.chat.deleted}
        </Text>
      ) : editing ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (draft.trim()) edit.mutate(draft.trim());
          }}
        >
          <Stack gap={4} mt={4}>
            <Textarea label={t.account.chat.editMessage} autosize minRows={1} maxRows={6} maxLength={MAX_LENGTH} value={draft} onChange={(e) => setDraft(e.currentTarget.value)} />
            <Group gap={4} justify="flex-end">
              <Button size="compact-xs" variant="default" onClick={() => setEditing(false)}>
                {t.account.chat.cancelEdit}
              </Button>
              <Button size="compact-xs" type="submit" loading={edit.isPending}>
                {t.account.chat.saveEdit}
              </Button>
            </Group>
          </Stack>
        </form>
      ) : (
        <Text size="sm" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
          {message.body}
        </Text>
      )}
      {failure && (
        <Text size="xs" c="red" role="alert">
          {messageOf(failure)}
        </Text>
      )}
      {canChange && !editing && !message.deleted && (
        <Group gap={4} justify="flex-end" mt={2}>
          {confirming ? (
            <>
              <Text size="xs">{t.account.chat.removeConfirm}</Text>
              <Button size="compact-xs" variant="default" onClick={() => setConfirming(false)}>
                {t.account.chat.cancelEdit}
              </Button>
              <Button size="compact-xs" color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
                {t.account.chat.remove}
              </Button>
            </>
          ) : (
            <>
              <Button
                size="compact-xs"
                variant="subtle"
                onClick={() => {
                  setDraft(message.body);
                  setEditing(true);
                }}
              >
                {t.account.chat.edit}
              </Button>
              <Button size="compact-xs" variant="subtle" color="red" onClick={() => setConfirming(true)}>
                {t.account.chat.remove}
              </Button>
            </>
          )}
        </Group>
      )}
      {seen && (
        <Text size="xs" c="dimmed" ta="right">
          {t.account.chat.seen}
        </Text>
      )}
    </Box>
  );
}
