/** Chat messages from history pages, our own sends and the socket, merged into one ordered list. */

export interface ChatMessage {
  id: string;
  conversation_id: string;
  author_id: string;
  body: string;
  created_at: string;
  edited_at: string | null;
  deleted: boolean;
}

/** The later state of one message: a deletion is final; otherwise the later edit wins. */
function later(a: ChatMessage, b: ChatMessage): ChatMessage {
  if (a.deleted !== b.deleted) return a.deleted ? a : b;
  const editedA = a.edited_at ? Date.parse(a.edited_at) : 0;
  const editedB = b.edited_at ? Date.parse(b.edited_at) : 0;
  return editedB >= editedA ? b : a;
}

/** Each message once (in its latest state), oldest first; equal times keep a stable order by id. */
export function mergeMessages(...lists: readonly (readonly ChatMessage[])[]): ChatMessage[] {
  const byId = new Map<string, ChatMessage>();
  for (const list of lists) {
    for (const message of list) {
      const known = byId.get(message.id);
      byId.set(message.id, known ? later(known, message) : message);
    }
  }
  return [...byId.values()].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function isChatMessage(value: unknown): value is ChatMessage {
  if (typeof value !== "object" || value === null) return false;
  const m = value as Record<string, unknown>;
  return typeof m.id === "string" && typeof m.conversation_id === "string" && typeof m.author_id === "string" && typeof m.body === "string" && typeof m.created_at === "string";
}

/** Whether `author` may still edit or delete `message` (the server's window; it has the last word). */
export function editable(message: ChatMessage, me: string, now: Date, windowMinutes = EDIT_MINUTES): boolean {
  return message.author_id === me && !message.deleted && now.getTime() - Date.parse(message.created_at) < windowMinutes * 60_000;
}

/** CONFER_CHAT_EDIT_MINUTES's default. */
export const EDIT_MINUTES = 15;
