"""The registry of media nodes: what each node's agent last reported, kept in Redis with an expiry.

A node is in the fleet only while its agent keeps reporting: its record expires ``ttl`` seconds after the last
heartbeat, so a crashed node or a lost host is out within seconds and no room is placed on it. Draining is the
operator's decision, not the agent's, so it is kept apart from the record and survives agent restarts.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from redis.asyncio import Redis


class MediaNode(msgspec.Struct, frozen=True, kw_only=True):
    """One media node as its agent last saw it."""

    id: str
    ws_url: str
    """Public WebSocket URL handed to clients (``wss://node-1.media.example.org``)."""
    control_url: str
    """Janus client API as the control plane reaches it on the cluster network (never given to clients)."""
    region: str
    capacity: int
    """Participants this node is sized for."""
    sessions: int = 0
    """Janus sessions open now: one per connected client, so the live participant count."""
    rooms: int = 0
    cpu_load: float = 0.0
    """One-minute load average divided by the host's CPUs."""
    accepting: bool = True
    """Whether Janus accepts new sessions (false while draining)."""
    draining: bool = False
    reported_at: datetime

    @property
    def state(self) -> str:
        return "draining" if self.draining else "active"


class MediaRegistry:
    """Node records under ``<namespace>:media:node:<id>`` (expiring), their ids in a set, drained ids in another."""

    def __init__(self, redis: Redis, namespace: str, *, ttl_seconds: float = 6.0) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:media"
        self.ttl_seconds = ttl_seconds

    def _node_key(self, node_id: str) -> str:
        return f"{self._prefix}:node:{node_id}"

    async def report(self, node: MediaNode) -> None:
        """The agent's heartbeat: the record lives ``ttl_seconds`` unless reported again."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._node_key(node.id), msgspec.json.encode(node), px=int(self.ttl_seconds * 1000))
            pipe.sadd(f"{self._prefix}:ids", node.id)
            await pipe.execute()

    async def withdraw(self, node_id: str) -> None:
        """A node leaving on purpose (agent stopped cleanly) is out at once instead of at expiry."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._node_key(node_id))
            pipe.srem(f"{self._prefix}:ids", node_id)
            await pipe.execute()

    async def nodes(self) -> list[MediaNode]:
        """Every node whose record has not expired, by id; ids of expired nodes are forgotten on the way."""
        members = await self._redis.smembers(f"{self._prefix}:ids")
        ids = sorted(m.decode() if isinstance(m, bytes) else m for m in members)
        if not ids:
            return []
        records = await self._redis.mget([self._node_key(node_id) for node_id in ids])
        expired = [node_id for node_id, raw in zip(ids, records, strict=True) if raw is None]
        if expired:
            await self._redis.srem(f"{self._prefix}:ids", *expired)
        return [msgspec.json.decode(raw, type=MediaNode) for raw in records if raw is not None]

    async def node(self, node_id: str) -> MediaNode | None:
        raw = await self._redis.get(self._node_key(node_id))
        return None if raw is None else msgspec.json.decode(raw, type=MediaNode)

    async def drain(self, node_id: str) -> None:
        await self._redis.sadd(f"{self._prefix}:draining", node_id)

    async def undrain(self, node_id: str) -> None:
        await self._redis.srem(f"{self._prefix}:draining", node_id)

    async def drained(self) -> set[str]:
        members = await self._redis.smembers(f"{self._prefix}:draining")
        return {m.decode() if isinstance(m, bytes) else m for m in members}

    async def is_draining(self, node_id: str) -> bool:
        return bool(await self._redis.sismember(f"{self._prefix}:draining", node_id))
