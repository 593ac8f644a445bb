import { Route } from "react-router";

/** The account pages, under /account. */
export const accountRoutes = <Route path="account" />;
