import { lazy } from "react";
import { Route } from "react-router";

const VideoRoomPage = lazy(() => import("./VideoRoomPage").then((m) => ({ default: m.VideoRoomPage })));

/** The video room, full screen outside the shell: /video/booking/:id and /video/class/:id. */
export const videoRoutes = <Route path="video/:kind/:id" element={<VideoRoomPage />} />;
