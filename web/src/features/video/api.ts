/** The video API as the room uses it: join, leave, who is there, the hand and the host's controls. */
import { api } from "../../api/client";
import { ApiError, unwrap } from "../../api/problem";
import { t } from "../../i18n";
import type { Participant } from "./layout";
import { RoomClosed, type JoinAnswer } from "./room";

export type RoomKind = "booking" | "class";

export async function joinRoom(kind: RoomKind, id: string): Promise<JoinAnswer> {
  return unwrap(
    kind === "booking"
      ? await api.POST("/api/v1/bookings/{booking_id}/video/join", { params: { path: { booking_id: id } } })
      : await api.POST("/api/v1/classes/sessions/{session_id}/video/join", { params: { path: { session_id: id } } }),
  );
}

/** Entering again after a failure: a closed window or a removal ends the attempts; anything else is retried. */
export function asRoomError(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.status === 403) return new RoomClosed("removed", error.message || t.video.removed);
  if (error.status === 404 || error.kind === "video-window-closed" || error.kind === "video-closed") {
    return new RoomClosed("ended", error.message);
  }
  return error;
}

export async function leaveRoom(kind: RoomKind, id: string): Promise<void> {
  if (kind === "booking") {
    await api.POST("/api/v1/bookings/{booking_id}/video/leave", { params: { path: { booking_id: id } } });
  } else {
    await api.POST("/api/v1/classes/sessions/{session_id}/video/leave", { params: { path: { session_id: id } } });
  }
}

export async function participantsOf(kind: RoomKind, id: string): Promise<Participant[]> {
  const answer =
    kind === "booking"
      ? await api.GET("/api/v1/bookings/{booking_id}/video/participants", { params: { path: { booking_id: id } } })
      : await api.GET("/api/v1/classes/sessions/{session_id}/video/participants", { params: { path: { session_id: id } } });
  return unwrap(answer).items;
}

export async function setHand(sessionId: string, raised: boolean): Promise<void> {
  unwrap(await api.POST("/api/v1/classes/sessions/{session_id}/video/hand", { params: { path: { session_id: sessionId } }, body: { raised } }));
}

export type HostAction = "floor" | "floor/take-back" | "mute" | "remove";

export async function hostAction(sessionId: string, action: HostAction, userId: string): Promise<void> {
  const path = { params: { path: { session_id: sessionId } } };
  switch (action) {
    case "floor":
      unwrap(await api.POST("/api/v1/classes/sessions/{session_id}/video/floor", { ...path, body: { user_id: userId } }));
      break;
    case "floor/take-back":
      unwrap(await api.POST("/api/v1/classes/sessions/{session_id}/video/floor/take-back", { ...path, body: { user_id: userId } }));
      break;
    case "mute":
      unwrap(await api.POST("/api/v1/classes/sessions/{session_id}/video/mute", { ...path, body: { user_id: userId, muted: true } }));
      break;
    case "remove":
      unwrap(await api.POST("/api/v1/classes/sessions/{session_id}/video/remove", { ...path, body: { user_id: userId } }));
      break;
  }
}
