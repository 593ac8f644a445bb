import { Route } from "react-router";

/** The video room, full screen outside the shell. */
export const videoRoutes = <Route path="video" />;
