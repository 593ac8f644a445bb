/** The notification preferences as a table (kinds × channels) and the changes to send for it. */

export interface Preference {
  kind: string;
  channel: string;
  enabled: boolean;
}

export type Grid = Record<string, Record<string, boolean>>;

/** Rows are kinds, columns channels; a cell the server did not list is on (its default). */
export function toGrid(kinds: readonly string[], channels: readonly string[], preferences: readonly Preference[]): Grid {
  const grid: Grid = {};
  for (const kind of kinds) {
    grid[kind] = {};
    for (const channel of channels) grid[kind][channel] = true;
  }
  for (const p of preferences) {
    const row = grid[p.kind];
    if (row && p.channel in row) row[p.channel] = p.enabled;
  }
  return grid;
}

export function toggled(grid: Grid, kind: string, channel: string, enabled: boolean): Grid {
  return { ...grid, [kind]: { ...grid[kind], [channel]: enabled } };
}

/** The body of PUT /me/notification-preferences: only the cells that differ from what the server has. */
export function changes(saved: Grid, edited: Grid): Preference[] {
  const out: Preference[] = [];
  for (const [kind, row] of Object.entries(edited)) {
    for (const [channel, enabled] of Object.entries(row)) {
      if (saved[kind]?.[channel] !== enabled) out.push({ kind, channel, enabled });
    }
  }
  return out;
}
