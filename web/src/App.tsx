import { notifications } from "@mantine/notifications";
import { lazy, Suspense, useCallback } from "react";
import { Route, Routes, useNavigate } from "react-router";
import { AuthProvider } from "./auth/AuthContext";
import { Shell } from "./components/Shell";
import { Loading } from "./components/States";
import { t } from "./i18n";
import { NotFoundPage } from "./pages/NotFoundPage";
import { SearchPage } from "./pages/SearchPage";
import { SignInPage } from "./pages/SignInPage";

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
      <Suspense fallback={<Loading />}>
      <Routes>
        <Route element={<Shell />}>
          <Route index element={<SearchPage />} />
          <Route path="professionals/:id" element={<ProfessionalPage />} />
          <Route path="signin" element={<SignInPage />} />
          <Route path="register" element={<RegisterPage />} />
          <Route path="bookings" element={<BookingsPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
      </Suspense>
    </AuthProvider>
  );
}
