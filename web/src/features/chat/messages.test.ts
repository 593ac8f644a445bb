import { describe, expect, it } from "vitest";
import { editable, mergeMessages, type ChatMessage } from "./messages";

const message = (id: string, created_at: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id,
  conversation_id: "c1",
  author_id: "ada",
  body: `text ${id}`,
  created_at,
  edited_at: null,
  deleted: false,
  ...extra,
});

describe("merging chat messages", () => {
  it("orders history pages (newest first) and live messages oldest first, each once", () => {
    const page1 = [message("c", "2026-11-10T09:03:00Z"), message("b", "2026-11-10T09:02:00Z")];
    const page2 = [message("a", "2026-11-10T09:01:00Z")];
    const live = [message("d", "2026-11-10T09:04:00Z"), message("c", "2026-11-10T09:03:00Z")];
    expect(mergeMessages(page1, page2, live).map((m) => m.id)).toEqual(["a", "b", "c", "d"]);
  });

  it("keeps the latest state of a message: an edit replaces the text, a deletion stays deleted", () => {
    const sent = message("a", "2026-11-10T09:01:00Z");
    const edited = { ...sent, body: "fixed", edited_at: "2026-11-10T09:02:00Z" };
    const deleted = { ...sent, body: "", deleted: true, edited_at: null };
    expect(mergeMessages([edited], [sent])[0]?.body).toBe("fixed");
    expect(mergeMessages([sent], [edited])[0]?.body).toBe("fixed");
    expect(mergeMessages([deleted], [edited])[0]?.deleted).toBe(true);
    expect(mergeMessages([edited], [deleted])[0]?.deleted).toBe(true);
  });

  it("orders messages of the same instant by id, so every render agrees", () => {
    const same = "2026-11-10T09:00:00Z";
    expect(mergeMessages([message("b", same), message("a", same)]).map((m) => m.id)).toEqual(["a", "b"]);
  });
});

describe("the edit window", () => {
  it("lets the author change a message for fifteen minutes, and nobody else", () => {
    const sent = message("a", "2026-11-10T09:00:00Z");
    expect(editable(sent, "ada", new Date("2026-11-10T09:14:59Z"))).toBe(true);
    expect(editable(sent, "ada", new Date("2026-11-10T09:15:00Z"))).toBe(false);
    expect(editable(sent, "bob", new Date("2026-11-10T09:01:00Z"))).toBe(false);
    expect(editable({ ...sent, deleted: true }, "ada", new Date("2026-11-10T09:01:00Z"))).toBe(false);
  });
});
