import { Anchor } from "@mantine/core";
import { lazy } from "react";
import { Navigate, NavLink, Route } from "react-router";
import { useAuth } from "../../auth/AuthContext";
import { t } from "../../i18n";
import { isProfessional } from "./queries";

// Each page loads when first opened, so none of them weighs on the first page a visitor sees.
const ProLayout = lazy(() => import("./ProLayout").then((m) => ({ default: m.ProLayout })));
const ProfilePage = lazy(() => import("./ProfilePage").then((m) => ({ default: m.ProfilePage })));
const OfferingsPage = lazy(() => import("./OfferingsPage").then((m) => ({ default: m.OfferingsPage })));
const ClassSessionsPage = lazy(() => import("./ClassSessionsPage").then((m) => ({ default: m.ClassSessionsPage })));
const AvailabilityPage = lazy(() => import("./AvailabilityPage").then((m) => ({ default: m.AvailabilityPage })));
const CalendarPage = lazy(() => import("./CalendarPage").then((m) => ({ default: m.CalendarPage })));
const EarningsPage = lazy(() => import("./EarningsPage").then((m) => ({ default: m.EarningsPage })));

/** The professional's pages, under /pro. */
export const proRoutes = (
  <Route path="pro" element={<ProLayout />}>
    <Route index element={<Navigate to="calendar" replace />} />
    <Route path="calendar" element={<CalendarPage />} />
    <Route path="availability" element={<AvailabilityPage />} />
    <Route path="offerings" element={<OfferingsPage />} />
    <Route path="offerings/:offeringId/sessions" element={<ClassSessionsPage />} />
    <Route path="profile" element={<ProfilePage />} />
    <Route path="earnings" element={<EarningsPage />} />
  </Route>
);

/** The navigation links of a professional's pages (shown only to professionals): one entry, the practice's own
 * pages have their navigation inside. */
export function ProNavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const { user } = useAuth();
  if (!isProfessional(user?.role)) return null;
  return (
    <Anchor component={NavLink} to="/pro" onClick={onNavigate}>
      {t.pro.nav}
    </Anchor>
  );
}
