"""Placement rules, on made-up fleets (the real fleet is exercised in tests/media)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from confer.core.media.placement import NoMediaCapacity, choose_node
from confer.core.media.registry import MediaNode

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def node(node_id: str, *, capacity: int = 100, sessions: int = 0, region: str = "eu", **extra: object) -> MediaNode:
    return MediaNode(
        id=node_id,
        ws_url=f"wss://{node_id}.example.org",
        control_url=f"ws://{node_id}:8188",
        region=region,
        capacity=capacity,
        sessions=sessions,
        reported_at=NOW,
        **extra,  # type: ignore[arg-type]
    )


def test_the_least_loaded_node_takes_the_room() -> None:
    fleet = [node("a", sessions=40), node("b", sessions=10), node("c", sessions=70)]
    assert choose_node(fleet, expected=2, reserved={}).id == "b"


def test_capacity_reserved_by_the_schedule_counts_before_anyone_arrives() -> None:
    fleet = [node("a", sessions=0), node("b", sessions=30)]
    # node a has a 90-person class placed on it that has not started: it is the fuller one
    assert choose_node(fleet, expected=20, reserved={"a": 90}).id == "b"


def test_a_room_never_goes_where_it_does_not_fit() -> None:
    fleet = [node("a", capacity=50, sessions=45), node("b", capacity=50, sessions=0)]
    assert choose_node(fleet, expected=30, reserved={"b": 20}).id == "b"
    with pytest.raises(NoMediaCapacity, match="30 participants"):
        choose_node(fleet, expected=30, reserved={"b": 21})


def test_draining_refusing_and_avoided_nodes_are_never_chosen() -> None:
    fleet = [
        node("a", draining=True),
        node("b", accepting=False),
        node("c", sessions=90),
        node("d", sessions=5),
    ]
    assert choose_node(fleet, expected=2, reserved={}).id == "d"
    assert choose_node(fleet, expected=2, reserved={}, avoid=frozenset({"d"})).id == "c"
    with pytest.raises(NoMediaCapacity):
        choose_node(fleet, expected=2, reserved={}, avoid=frozenset({"c", "d"}))
    with pytest.raises(NoMediaCapacity, match="0 reporting"):
        choose_node([], expected=2, reserved={})


def test_the_preferred_region_wins_while_it_has_room_then_any_region_serves() -> None:
    fleet = [node("eu-1", sessions=60, region="eu"), node("us-1", sessions=0, region="us")]
    assert choose_node(fleet, expected=2, reserved={}, region="eu").id == "eu-1"
    assert choose_node(fleet, expected=50, reserved={}, region="eu").id == "us-1"
    assert choose_node(fleet, expected=2, reserved={}, region="ap").id == "us-1"


def test_ties_go_to_the_calmer_cpu_then_the_lower_id() -> None:
    fleet = [node("b", cpu_load=0.2), node("a", cpu_load=0.9), node("c", cpu_load=0.2)]
    assert choose_node(fleet, expected=2, reserved={}).id == "b"
