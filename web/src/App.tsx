import { notifications } from "@mantine/notifications";
import { lazy, Suspense, useCallback } from "react";
import { Route, Routes, useNavigate } from "react-router";
import { AuthProvider } from "./auth/AuthContext";
import { Shell } from "./components/Shell";
import { Loading } from "./components/States";
import { t } from "./i18n";
import { accountRoutes } from "./pages/account/routes";
import { NotFoundPage } from "./pages/NotFoundPage";
import { proRoutes } from "./pages/pro/routes";
import { SearchPage } from "./pages/SearchPage";
import { SignInPage } from "./pages/SignInPage";
import { videoRoutes } from "./pages/video/routes";
import { RealtimeProvider } from "./realtime";

// The first page a visitor sees is in the main bundle; the others load when first opened.
const ProfessionalPage = lazy(() => import("./pages/ProfessionalPage").then((m) => ({ default: m.ProfessionalPage })));
const RegisterPage = lazy(() => import("./pages/RegisterPage").then((m) => ({ default: m.RegisterPage })));
const BookingsPage = lazy(() => import("./pages/BookingsPage").then((m) => ({ default: m.BookingsPage })));

export function App() {
  const navigate = useNavigate();
  const expired = useCallback(() => {
    notifications.show({ color: "yellow", message: t.auth.sessionExpired });
    navigate("/signin");
  }, [navigate]);
  return (
    <AuthProvider onExpired={expired}>
      <RealtimeProvider>
      <Suspense fallback={<Loading />}>
      <Routes>
        <Route element={<Shell />}>
          <Route index element={<SearchPage />} />
          <Route path="professionals/:id" element={<ProfessionalPage />} />
          <Route path="signin" element={<SignInPage />} />
          <Route path="register" element={<RegisterPage />} />
          <Route path="bookings" element={<BookingsPage />} />
          <Route path="classes" element={<BookingsPage initialTab="classes" />} />
          {proRoutes}
          {accountRoutes}
          <Route path="*" element={<NotFoundPage />} />
        </Route>
        {videoRoutes}
      </Routes>
      </Suspense>
      </RealtimeProvider>
    </AuthProvider>
  );
}
