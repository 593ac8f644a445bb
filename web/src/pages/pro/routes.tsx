import { Route } from "react-router";

/** The professional's pages, under /pro. */
export const proRoutes = <Route path="pro" />;

/** The navigation links of a professional's pages (shown only to professionals). */
export function ProNavLinks({ onNavigate }: { onNavigate?: () => void }) {
  void onNavigate;
  return null;
}
