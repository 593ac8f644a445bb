import { lazy, Suspense, type ReactNode } from "react";
import { Route } from "react-router";
import { Loading } from "../../components/States";

// Loaded when first opened: none of these is on the way to a first booking.
const AccountLayout = lazy(() => import("./AccountLayout").then((m) => ({ default: m.AccountLayout })));
const ProfilePage = lazy(() => import("./ProfilePage").then((m) => ({ default: m.ProfilePage })));
const SecurityPage = lazy(() => import("./SecurityPage").then((m) => ({ default: m.SecurityPage })));
const NotificationSettingsPage = lazy(() => import("./NotificationSettingsPage").then((m) => ({ default: m.NotificationSettingsPage })));
const ForgotPasswordPage = lazy(() => import("./PasswordPages").then((m) => ({ default: m.ForgotPasswordPage })));
const ResetPasswordPage = lazy(() => import("./PasswordPages").then((m) => ({ default: m.ResetPasswordPage })));
const VerifyEmailPage = lazy(() => import("./PasswordPages").then((m) => ({ default: m.VerifyEmailPage })));
const BookingDetailPage = lazy(() => import("../../features/bookings/BookingDetailPage").then((m) => ({ default: m.BookingDetailPage })));

/** A page that loads on first use, the shell staying in place meanwhile. */
function page(element: ReactNode) {
  return <Suspense fallback={<Loading />}>{element}</Suspense>;
}

/**
 * The account pages under /account (profile, security, notifications: the path the notification mails link to), the
 * pages the account mails link to (/forgot-password, /reset-password?token=, /verify-email?token=), and one booking's
 * page (/bookings/:id, where notifications lead; /bookings/:id/chat opens its chat). All inside the Shell.
 */
export const accountRoutes = (
  <>
    <Route path="account" element={page(<AccountLayout />)}>
      <Route index element={page(<ProfilePage />)} />
      <Route path="security" element={page(<SecurityPage />)} />
      <Route path="notifications" element={page(<NotificationSettingsPage />)} />
    </Route>
    <Route path="forgot-password" element={page(<ForgotPasswordPage />)} />
    <Route path="reset-password" element={page(<ResetPasswordPage />)} />
    <Route path="verify-email" element={page(<VerifyEmailPage />)} />
    <Route path="bookings/:id" element={page(<BookingDetailPage />)} />
    <Route path="bookings/:id/chat" element={page(<BookingDetailPage focusChat />)} />
  </>
);
