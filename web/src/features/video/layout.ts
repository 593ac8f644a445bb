/**
 * Who goes where on screen. One-to-one: the other person and you, side by side. A class: the host on the stage, and
 * everyone else who publishes in a paged grid (only the visible page is shown).
 */
import type { Schemas } from "../../api/client";
import type { RemoteFeed } from "./room";

export type Participant = Schemas["ParticipantOut"];

export interface Tile {
  key: string;
  label: string;
  stream: MediaStream | null;
  self: boolean;
  host: boolean;
}

export interface Layout {
  stage: Tile | null;
  grid: Tile[];
  pages: number;
}

export const GRID_PAGE_SIZE = 6;

/** The tiles of a room. `page` counts from 1; a page past the end shows the last one. */
export function layoutOf(options: {
  kind: "booking" | "class";
  feeds: RemoteFeed[];
  people: Participant[];
  self: Tile | null;
  page: number;
}): Layout {
  const { kind, feeds, people, self, page } = options;
  const byFeed = new Map(people.map((person) => [person.feed_id, person]));
  const remote: Tile[] = feeds.map((feed) => {
    const person = byFeed.get(feed.feedId);
    return {
      key: `feed-${feed.feedId}`,
      label: person?.display_name ?? feed.display,
      stream: feed.stream,
      self: false,
      host: person?.role === "host",
    };
  });
  const everyone = self ? [...remote, self] : remote;
  if (kind === "booking") return { stage: null, grid: everyone, pages: 1 };

  const stage = everyone.find((tile) => tile.host) ?? null;
  const others = everyone.filter((tile) => tile !== stage);
  const pages = Math.max(1, Math.ceil(others.length / GRID_PAGE_SIZE));
  const shown = Math.min(Math.max(1, page), pages);
  return { stage, grid: others.slice((shown - 1) * GRID_PAGE_SIZE, shown * GRID_PAGE_SIZE), pages };
}
