/**
 * The connection-quality indicator: round-trip time and packet loss from WebRTC statistics, sampled every few
 * seconds, turned into good / fair / poor.
 */
export type Quality = "good" | "fair" | "poor" | "unknown";

export interface TransportSample {
  /** Seconds, from the selected candidate pair; null before one is chosen. */
  roundTrip: number | null;
  packetsLost: number;
  packetsReceived: number;
  packetsSent: number;
  /** Lost packets the far end reported for what we send (remote-inbound-rtp). */
  remoteLost: number;
}

const FAIR_RTT = 0.25;
const POOR_RTT = 0.5;
const FAIR_LOSS = 0.02;
const POOR_LOSS = 0.08;

function numberOf(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** The figures that matter, summed over a peer connection's streams. */
export function sampleOf(report: RTCStatsReport): TransportSample {
  const sample: TransportSample = { roundTrip: null, packetsLost: 0, packetsReceived: 0, packetsSent: 0, remoteLost: 0 };
  report.forEach((entry: Record<string, unknown>) => {
    switch (entry.type) {
      case "candidate-pair":
        if (entry.nominated === true && typeof entry.currentRoundTripTime === "number") {
          sample.roundTrip = entry.currentRoundTripTime;
        }
        break;
      case "inbound-rtp":
        sample.packetsLost += numberOf(entry.packetsLost);
        sample.packetsReceived += numberOf(entry.packetsReceived);
        break;
      case "outbound-rtp":
        sample.packetsSent += numberOf(entry.packetsSent);
        break;
      case "remote-inbound-rtp":
        sample.remoteLost += numberOf(entry.packetsLost);
        break;
    }
  });
  return sample;
}

/** Loss over the interval since `previous` (both directions), and the current round trip, as a rating. */
export function qualityOf(current: TransportSample, previous: TransportSample | null): Quality {
  if (!previous) return current.roundTrip === null ? "unknown" : ratingOf(current.roundTrip, 0);
  const lost = Math.max(0, current.packetsLost - previous.packetsLost) + Math.max(0, current.remoteLost - previous.remoteLost);
  const moved =
    Math.max(0, current.packetsReceived - previous.packetsReceived) + Math.max(0, current.packetsSent - previous.packetsSent);
  const loss = moved + lost > 0 ? lost / (moved + lost) : 0;
  if (current.roundTrip === null && moved === 0) return "unknown";
  return ratingOf(current.roundTrip ?? 0, loss);
}

function ratingOf(roundTrip: number, loss: number): Quality {
  if (roundTrip >= POOR_RTT || loss >= POOR_LOSS) return "poor";
  if (roundTrip >= FAIR_RTT || loss >= FAIR_LOSS) return "fair";
  return "good";
}
