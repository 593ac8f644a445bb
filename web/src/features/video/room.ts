/**
 * One person's presence in a Confer video room on Janus's VideoRoom plugin, from nothing but the join API's answer:
 * join as a participant (with the personal token), publish when allowed, subscribe to every other publisher with the
 * participant's private id, and enter again, with a fresh join answer, when the room moves, the network changes or the
 * media server goes away.
 */
import type { Schemas } from "../../api/client";
import { JanusHandle, JanusSession, type JanusBody, type Jsep } from "./janus";
import { qualityOf, type Quality, type TransportSample, sampleOf } from "./quality";

export type JoinAnswer = Schemas["JoinAnswer"];
export type RoomStatus = "connecting" | "live" | "reconnecting" | "ended" | "removed";

export interface RemoteFeed {
  feedId: number;
  display: string;
  stream: MediaStream | null;
}

export interface RoomState {
  status: RoomStatus;
  /** Why the room is not live, in the server's or the browser's words. */
  problem: string | null;
  local: MediaStream | null;
  mayPublish: boolean;
  micOn: boolean;
  cameraOn: boolean;
  sharingScreen: boolean;
  feeds: RemoteFeed[];
  quality: Quality;
}

export interface DeviceChoice {
  audioId?: string;
  videoId?: string;
}

/** Thrown by the join source when entering is no longer possible (window closed, removed): no more attempts. */
export class RoomClosed extends Error {
  readonly status: "ended" | "removed";

  constructor(status: "ended" | "removed", message: string) {
    super(message);
    this.status = status;
  }
}

const VIDEOROOM = "janus.plugin.videoroom";
const REJOIN_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000];
const QUALITY_EVERY_MS = 3_000;

interface Subscription {
  handle: JanusHandle;
  pc: RTCPeerConnection;
}

function publishersIn(data: JanusBody): { id: number; display: string }[] {
  const list = data.publishers;
  if (!Array.isArray(list)) return [];
  return list
    .filter((p): p is { id: number; display?: string } => typeof p === "object" && p !== null && typeof p.id === "number")
    .map((p) => ({ id: p.id, display: typeof p.display === "string" ? p.display : "" }));
}

export class VideoRoom {
  private state: RoomState = {
    status: "connecting",
    problem: null,
    local: null,
    mayPublish: false,
    micOn: true,
    cameraOn: true,
    sharingScreen: false,
    feeds: [],
    quality: "unknown",
  };
  private readonly enter: () => Promise<JoinAnswer>;
  private readonly listener: (state: RoomState) => void;
  private devices: DeviceChoice = {};
  private answer: JoinAnswer | null = null;
  private session: JanusSession | null = null;
  private privateId: number | undefined;
  private publisherPc: RTCPeerConnection | null = null;
  private cameraTrack: MediaStreamTrack | null = null;
  private readonly subscriptions = new Map<number, Subscription>();
  private generation = 0;
  private leaving = false;
  private rejoining = false;
  private qualityTimer: ReturnType<typeof setInterval> | undefined;
  private lastSample: TransportSample | null = null;
  private readonly onOnline = () => void this.rejoin("network");

  constructor(enter: () => Promise<JoinAnswer>, listener: (state: RoomState) => void) {
    this.enter = enter;
    this.listener = listener;
  }

  get current(): RoomState {
    return this.state;
  }

  async start(devices: DeviceChoice = {}): Promise<void> {
    this.devices = devices;
    window.addEventListener("online", this.onOnline);
    this.qualityTimer = setInterval(() => void this.measure(), QUALITY_EVERY_MS);
    await this.attempt();
  }

  /** Enter again with a fresh join answer: the room moved, the floor changed, or the connection was lost. */
  async rejoin(reason: string): Promise<void> {
    if (this.leaving || this.rejoining) return;
    this.rejoining = true;
    this.update({ status: "reconnecting", problem: reason === "network" ? null : this.state.problem });
    try {
      await this.teardown();
      await this.attempt();
    } finally {
      this.rejoining = false;
    }
  }

  async leave(): Promise<void> {
    this.leaving = true;
    window.removeEventListener("online", this.onOnline);
    clearInterval(this.qualityTimer);
    await this.teardown();
    this.stopLocal();
    this.update({ status: "ended", local: null, feeds: [] });
  }

  setMic(on: boolean): void {
    this.state.local?.getAudioTracks().forEach((track) => (track.enabled = on));
    this.update({ micOn: on });
  }

  setCamera(on: boolean): void {
    if (this.cameraTrack) this.cameraTrack.enabled = on;
    this.update({ cameraOn: on });
  }

  /** Another microphone or camera: the new track replaces the old one in place, without renegotiating. */
  async chooseDevices(devices: DeviceChoice): Promise<void> {
    this.devices = { ...this.devices, ...devices };
    if (!this.state.local) return;
    const fresh = await navigator.mediaDevices.getUserMedia(this.constraints());
    const audio = fresh.getAudioTracks()[0];
    const video = fresh.getVideoTracks()[0];
    if (audio) await this.replace("audio", audio);
    if (video && !this.state.sharingScreen) await this.replace("video", video);
    if (video) {
      this.cameraTrack?.stop();
      this.cameraTrack = video;
    }
    this.setMic(this.state.micOn);
    this.setCamera(this.state.cameraOn);
  }

  async shareScreen(on: boolean): Promise<void> {
    if (!this.publisherPc) return;
    if (on) {
      const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
      const track = screen.getVideoTracks()[0];
      if (!track) return;
      track.addEventListener("ended", () => void this.shareScreen(false));
      await this.replace("video", track);
      this.update({ sharingScreen: true });
    } else if (this.state.sharingScreen) {
      const shared = this.publisherPc.getSenders().find((s) => s.track?.kind === "video")?.track;
      if (this.cameraTrack) await this.replace("video", this.cameraTrack);
      if (shared && shared !== this.cameraTrack) shared.stop();
      this.update({ sharingScreen: false });
    }
  }

  // --- entering ------------------------------------------------------------------------------------------------------

  private async attempt(): Promise<void> {
    for (let tries = 0; !this.leaving; tries += 1) {
      const generation = ++this.generation;
      try {
        await this.connect(await this.enter(), generation);
        return;
      } catch (error) {
        await this.teardown();
        if (error instanceof RoomClosed) {
          this.stopLocal();
          this.update({ status: error.status, problem: error.message, feeds: [] });
          this.leaving = true;
          return;
        }
        this.update({ status: "reconnecting", problem: error instanceof Error ? error.message : String(error) });
        const delay = REJOIN_DELAYS_MS[Math.min(tries, REJOIN_DELAYS_MS.length - 1)] ?? 8_000;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async connect(answer: JoinAnswer, generation: number): Promise<void> {
    this.answer = answer;
    const session = await JanusSession.connect(answer.server_url, answer.janus_token);
    this.session = session;
    session.onClosed(() => {
      if (generation === this.generation) void this.rejoin("the connection to the media server was lost");
    });
    const own = await session.attach(VIDEOROOM, answer.ticket);
    own.onNotice((notice) => {
      if (notice.kind === "event") void this.onRoomEvent(notice.event.data, generation);
    });
    const joined = await own.request({
      request: "join",
      ptype: "publisher",
      room: answer.room_id,
      id: answer.feed_id,
      display: answer.display_name,
      token: answer.token,
    });
    this.privateId = typeof joined.data.private_id === "number" ? joined.data.private_id : undefined;
    this.update({ status: "live", problem: null, mayPublish: answer.may_publish });
    if (answer.may_publish) await this.publish(answer, own);
    else this.stopLocal();
    for (const publisher of publishersIn(joined.data)) void this.subscribe(publisher, generation);
  }

  private async onRoomEvent(data: JanusBody, generation: number): Promise<void> {
    if (generation !== this.generation) return;
    for (const publisher of publishersIn(data)) void this.subscribe(publisher, generation);
    // Someone stopped publishing, left, or was removed by the host.
    const gone = [data.unpublished, data.leaving, data.kicked].find((value): value is number => typeof value === "number");
    if (gone !== undefined) await this.unsubscribe(gone);
    if (data.leaving === "ok" && data.reason === "kicked") {
      // Removed by the host, or the floor was taken back: the join API says which.
      void this.rejoin("kicked");
    }
  }

  // --- publishing ----------------------------------------------------------------------------------------------------

  private constraints(): MediaStreamConstraints {
    return {
      audio: this.devices.audioId ? { deviceId: { exact: this.devices.audioId } } : true,
      video: this.devices.videoId
        ? { deviceId: { exact: this.devices.videoId }, width: { ideal: 1280 }, height: { ideal: 720 } }
        : { width: { ideal: 1280 }, height: { ideal: 720 } },
    };
  }

  private async publish(answer: JoinAnswer, own: JanusHandle): Promise<void> {
    const local = this.state.local ?? (await navigator.mediaDevices.getUserMedia(this.constraints()));
    this.cameraTrack = local.getVideoTracks()[0] ?? null;
    this.update({ local });
    this.setMic(this.state.micOn);
    this.setCamera(this.state.cameraOn);
    const pc = this.peerConnection(answer, own);
    this.publisherPc = pc;
    local.getTracks().forEach((track) => pc.addTrack(track, local));
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const configured = await own.request({ request: "configure", audio: true, video: true }, offer as Jsep);
    if (configured.jsep) await pc.setRemoteDescription(configured.jsep);
  }

  private async replace(kind: "audio" | "video", track: MediaStreamTrack): Promise<void> {
    const sender = this.publisherPc?.getSenders().find((s) => s.track?.kind === kind);
    await sender?.replaceTrack(track);
    const local = this.state.local;
    if (local) {
      const next = new MediaStream([...local.getTracks().filter((t) => t.kind !== kind), track]);
      if (kind === "audio") local.getAudioTracks().forEach((old) => old !== track && old.stop());
      this.update({ local: next });
    }
  }

  // --- subscribing ---------------------------------------------------------------------------------------------------

  private async subscribe(publisher: { id: number; display: string }, generation: number): Promise<void> {
    const { session, answer } = this;
    if (!session || !answer || this.subscriptions.has(publisher.id) || publisher.id === answer.feed_id) return;
    const handle = await session.attach(VIDEOROOM, answer.ticket);
    const pc = this.peerConnection(answer, handle);
    this.subscriptions.set(publisher.id, { handle, pc });
    this.setFeed({ feedId: publisher.id, display: publisher.display, stream: null });
    pc.addEventListener("track", (event) => {
      const stream = event.streams[0] ?? new MediaStream([event.track]);
      this.setFeed({ feedId: publisher.id, display: publisher.display, stream });
    });
    handle.onNotice((notice) => {
      if (notice.kind === "hangup" || notice.kind === "detached") void this.unsubscribe(publisher.id);
    });
    try {
      const joined = await handle.request({
        request: "join",
        ptype: "subscriber",
        room: answer.room_id,
        streams: [{ feed: publisher.id }],
        ...(this.privateId === undefined ? {} : { private_id: this.privateId }),
      });
      if (!joined.jsep || generation !== this.generation) return;
      await pc.setRemoteDescription(joined.jsep);
      const reply = await pc.createAnswer();
      await pc.setLocalDescription(reply);
      await handle.request({ request: "start" }, reply as Jsep);
    } catch {
      await this.unsubscribe(publisher.id);
    }
  }

  private async unsubscribe(feedId: number): Promise<void> {
    const subscription = this.subscriptions.get(feedId);
    this.subscriptions.delete(feedId);
    this.update({ feeds: this.state.feeds.filter((feed) => feed.feedId !== feedId) });
    if (subscription) {
      subscription.pc.close();
      await subscription.handle.detach();
    }
  }

  private setFeed(feed: RemoteFeed): void {
    const others = this.state.feeds.filter((f) => f.feedId !== feed.feedId);
    this.update({ feeds: [...others, feed].sort((a, b) => a.feedId - b.feedId) });
  }

  // --- plumbing ------------------------------------------------------------------------------------------------------

  private peerConnection(answer: JoinAnswer, handle: JanusHandle): RTCPeerConnection {
    const pc = new RTCPeerConnection({
      iceServers: answer.ice_servers.map((server) => ({
        urls: server.urls,
        ...(server.username ? { username: server.username } : {}),
        ...(server.credential ? { credential: server.credential } : {}),
      })),
    });
    pc.addEventListener("icecandidate", (event) => handle.trickle(event.candidate));
    const generation = this.generation;
    pc.addEventListener("connectionstatechange", () => {
      if (pc.connectionState === "failed" && generation === this.generation) void this.rejoin("network");
    });
    return pc;
  }

  private async measure(): Promise<void> {
    const pc = this.publisherPc ?? this.subscriptions.values().next().value?.pc;
    if (!pc || this.state.status !== "live") return;
    const sample = sampleOf(await pc.getStats());
    this.update({ quality: qualityOf(sample, this.lastSample) });
    this.lastSample = sample;
  }

  private async teardown(): Promise<void> {
    this.generation += 1;
    const session = this.session;
    this.session = null;
    this.publisherPc?.close();
    this.publisherPc = null;
    this.subscriptions.forEach(({ pc }) => pc.close());
    this.subscriptions.clear();
    this.lastSample = null;
    this.update({ feeds: [] });
    await session?.destroy();
  }

  private stopLocal(): void {
    this.state.local?.getTracks().forEach((track) => track.stop());
    this.cameraTrack?.stop();
    this.cameraTrack = null;
    this.update({ local: null, sharingScreen: false });
  }

  private update(change: Partial<RoomState>): void {
    this.state = { ...this.state, ...change };
    this.listener(this.state);
  }
}
