import { describe, expect, it } from "vitest";
import { qualityOf, sampleOf, type TransportSample } from "./quality";

function sample(change: Partial<TransportSample>): TransportSample {
  return { roundTrip: 0.05, packetsLost: 0, packetsReceived: 0, packetsSent: 0, remoteLost: 0, ...change };
}

function report(entries: Record<string, unknown>[]): RTCStatsReport {
  return new Map(entries.map((entry, index) => [String(index), entry])) as unknown as RTCStatsReport;
}

describe("connection quality", () => {
  it("is unknown before any candidate pair or traffic", () => {
    expect(qualityOf(sample({ roundTrip: null }), null)).toBe("unknown");
  });

  it("rates the round trip and the loss since the last sample", () => {
    const before = sample({ packetsReceived: 1000, packetsLost: 10 });
    expect(qualityOf(sample({ packetsReceived: 1990, packetsLost: 11 }), before)).toBe("good");
    expect(qualityOf(sample({ packetsReceived: 1960, packetsLost: 40 }), before)).toBe("fair");
    expect(qualityOf(sample({ packetsReceived: 1900, packetsLost: 110 }), before)).toBe("poor");
    expect(qualityOf(sample({ roundTrip: 0.3, packetsReceived: 2000, packetsLost: 10 }), before)).toBe("fair");
    expect(qualityOf(sample({ roundTrip: 0.8, packetsReceived: 2000, packetsLost: 10 }), before)).toBe("poor");
  });

  it("counts what the far end lost of what we send", () => {
    const before = sample({ packetsSent: 1000 });
    expect(qualityOf(sample({ packetsSent: 1900, remoteLost: 100 }), before)).toBe("poor");
  });

  it("reads the nominated pair and sums the streams of a stats report", () => {
    const read = sampleOf(
      report([
        { type: "candidate-pair", nominated: false, currentRoundTripTime: 2 },
        { type: "candidate-pair", nominated: true, currentRoundTripTime: 0.12 },
        { type: "inbound-rtp", packetsLost: 3, packetsReceived: 100 },
        { type: "inbound-rtp", packetsLost: 1, packetsReceived: 50 },
        { type: "outbound-rtp", packetsSent: 70 },
        { type: "remote-inbound-rtp", packetsLost: 2 },
      ]),
    );
    expect(read).toEqual({ roundTrip: 0.12, packetsLost: 4, packetsReceived: 150, packetsSent: 70, remoteLost: 2 });
  });
});
