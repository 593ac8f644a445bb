"""Choosing a media node for a room: pure, so that every rule is tested without a fleet.

A node's load is the larger of what its agent reports (live sessions) and what the schedule has already promised it
(the expected participants of the rooms placed on it that are not over): a room placed for 18:00 takes its capacity
at placement, not when its people arrive, so two big classes are not stacked on one node at 17:55.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from confer.core.media.registry import MediaNode


class NoMediaCapacity(Exception):
    """No node can take the room now (none reporting, all draining, or all full)."""


def headroom(node: MediaNode, reserved: int) -> int:
    return node.capacity - max(node.sessions, reserved)


def choose_node(
    nodes: Sequence[MediaNode],
    *,
    expected: int,
    reserved: Mapping[str, int],
    region: str | None = None,
    avoid: frozenset[str] = frozenset(),
) -> MediaNode:
    """The node with the most headroom that fits ``expected`` participants, preferring ``region``.

    Draining nodes, nodes refusing sessions and the ``avoid`` set (e.g. the node a room is moving away from) are never
    chosen. Ties go to the node with the lower CPU load, then the lower id, so placement is deterministic."""
    candidates = [n for n in nodes if n.accepting and not n.draining and n.id not in avoid]
    fitting = [n for n in candidates if headroom(n, reserved.get(n.id, 0)) >= expected]
    if not fitting:
        raise NoMediaCapacity(
            f"no media node can take {expected} participants now "
            f"({len(nodes)} reporting, {len(candidates)} accepting rooms)"
        )
    preferred = [n for n in fitting if n.region == region] if region else []
    pool = preferred or fitting
    return min(pool, key=lambda n: (-headroom(n, reserved.get(n.id, 0)), n.cpu_load, n.id))
