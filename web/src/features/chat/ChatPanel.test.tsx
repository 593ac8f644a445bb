import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeWebSocket } from "../testing/fakeSocket";
import { fakeApi, ME, renderApp, signedInEachTest } from "../testing/render";
import { ChatPanel } from "./ChatPanel";

const CONVERSATION = "00000000-0000-4000-8000-0000000000c1";
const PRO = "00000000-0000-4000-8000-0000000000b0";

const message = (id: string, author: string, body: string, created_at: string) => ({
  id,
  conversation_id: CONVERSATION,
  author_id: author,
  body,
  created_at,
  edited_at: null,
  deleted: false,
});

signedInEachTest();

function serve() {
  return fakeApi((request, body) => {
    const path = new URL(request.url).pathname;
    if (path === `/api/v1/conversations/${CONVERSATION}/messages` && request.method === "GET") {
      return Response.json({
        items: [message("m2", PRO, "<b>Hello</b> & <script>alert(1)</script>", "2026-11-10T09:01:00Z"), message("m1", ME.id, "Hi", "2026-11-10T09:00:00Z")],
        next_cursor: null,
      });
    }
    if (path === `/api/v1/conversations/${CONVERSATION}/messages` && request.method === "POST") {
      const text = (body as { body: string }).body;
      return Response.json(message("m3", ME.id, text, "2026-11-10T09:02:00Z"), { status: 201 });
    }
    if (path.endsWith("/read") || path.endsWith("/typing")) return new Response(null, { status: 204 });
    return undefined;
  });
}

describe("the chat panel", () => {
  it("shows history oldest first as plain text, never as markup", async () => {
    serve();
    renderApp(<ChatPanel conversationId={CONVERSATION} names={{ [PRO]: "Dr Example" }} />);

    const log = await screen.findByRole("log", { name: "Conversation" });
    await within(log).findByText("Hi");
    const texts = within(log).getAllByText(/Hi|Hello/).map((node) => node.textContent);
    expect(texts).toEqual(["Hi", "<b>Hello</b> & <script>alert(1)</script>"]);
    expect(log.querySelector("b, script")).toBeNull();
    expect(within(log).getByText("Dr Example")).toBeTruthy();
  });

  it("sends with the Send button, marks what it read, and merges the socket's copy of the same message", async () => {
    const api = serve();
    renderApp(<ChatPanel conversationId={CONVERSATION} />);
    const log = await screen.findByRole("log");
    await within(log).findByText("Hi");
    await waitFor(() => expect(api.calls).toContainEqual({ method: "POST", path: `/api/v1/conversations/${CONVERSATION}/read`, body: { message_id: "m2" } }));

    fireEvent.change(screen.getByRole("textbox", { name: "Message" }), { target: { value: "See you at ten" } });
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    await within(log).findByText("See you at ten");
    expect(api.calls).toContainEqual({ method: "POST", path: `/api/v1/conversations/${CONVERSATION}/messages`, body: { body: "See you at ten" } });

    const socket = FakeWebSocket.last();
    act(() => {
      socket.open();
      socket.push({ type: "ready", seq: -1, channels: [] });
      socket.push({ seq: 5, channel: `chat:${CONVERSATION}`, type: "chat.message", data: message("m3", ME.id, "See you at ten", "2026-11-10T09:02:00Z") });
      socket.push({ seq: 6, channel: `chat:${CONVERSATION}`, type: "chat.typing", data: { conversation_id: CONVERSATION, user_id: PRO } });
    });
    expect(within(log).getAllByText("See you at ten")).toHaveLength(1);
    expect(await screen.findByText("The other participant is typing…")).toBeTruthy();

    act(() => socket.push({ seq: 7, channel: `chat:${CONVERSATION}`, type: "chat.message", data: message("m4", PRO, "Perfect", "2026-11-10T09:03:00Z") }));
    await within(log).findByText("Perfect");
    expect(screen.queryByText("The other participant is typing…")).toBeNull();
    act(() => socket.push({ seq: 8, channel: `chat:${CONVERSATION}`, type: "chat.edited", data: { ...message("m4", PRO, "Perfect, thanks", "2026-11-10T09:03:00Z"), edited_at: "2026-11-10T09:04:00Z" } }));
    await within(log).findByText("Perfect, thanks");
    act(() => socket.push({ seq: 9, channel: `chat:${CONVERSATION}`, type: "chat.read", data: { conversation_id: CONVERSATION, user_id: PRO, read_until: "2026-11-10T09:02:30Z" } }));
    expect(await within(log).findByText("Seen")).toBeTruthy();
  });
});
