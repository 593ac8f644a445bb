/** Real time: one WebSocket per signed-in tab (see connection.ts for the protocol and the message shape). */
export { RealtimeProvider, useRealtime, useRealtimeStatus } from "./RealtimeContext";
export type { ConnectionStatus, RealtimeMessage } from "./connection";
