import { describe, expect, it } from "vitest";
import { GRID_PAGE_SIZE, layoutOf, type Participant, type Tile } from "./layout";
import type { RemoteFeed } from "./room";

function person(feed: number, role: Participant["role"], name: string): Participant {
  return { user_id: `u${feed}`, display_name: name, role, feed_id: feed, may_publish: role !== "attendee", hand_raised: false };
}

function feed(id: number): RemoteFeed {
  return { feedId: id, display: `janus-${id}`, stream: null };
}

const me: Tile = { key: "self", label: "You", stream: null, self: true, host: false };

describe("room layout", () => {
  it("puts the two people of a booking side by side, named from the participants list", () => {
    const layout = layoutOf({ kind: "booking", feeds: [feed(7)], people: [person(7, "host", "Dr Ada")], self: me, page: 1 });
    expect(layout.stage).toBeNull();
    expect(layout.grid.map((tile) => tile.label)).toEqual(["Dr Ada", "You"]);
  });

  it("falls back to the name Janus gave when the participants list is behind", () => {
    const layout = layoutOf({ kind: "booking", feeds: [feed(9)], people: [], self: null, page: 1 });
    expect(layout.grid[0]?.label).toBe("janus-9");
  });

  it("puts a class's host on the stage, and pages the others", () => {
    const feeds = [feed(1), ...Array.from({ length: GRID_PAGE_SIZE + 2 }, (_, i) => feed(10 + i))];
    const people = [person(1, "host", "Coach"), ...feeds.slice(1).map((f) => person(f.feedId, "attendee", `A${f.feedId}`))];
    const first = layoutOf({ kind: "class", feeds, people, self: me, page: 1 });
    expect(first.stage?.label).toBe("Coach");
    expect(first.pages).toBe(2);
    expect(first.grid).toHaveLength(GRID_PAGE_SIZE);
    const second = layoutOf({ kind: "class", feeds, people, self: me, page: 5 });
    expect(second.grid.map((tile) => tile.label)).toEqual(["A16", "A17", "You"]);
  });

  it("puts the host's own tile on the stage for the host", () => {
    const host: Tile = { ...me, host: true };
    const layout = layoutOf({ kind: "class", feeds: [feed(3)], people: [person(3, "attendee", "Bea")], self: host, page: 1 });
    expect(layout.stage?.self).toBe(true);
    expect(layout.grid.map((tile) => tile.label)).toEqual(["Bea"]);
  });
});
