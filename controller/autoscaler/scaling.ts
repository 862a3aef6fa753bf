// The autoscaler's decision, pure and time-explicit (like Knative's Scale(now)): from in-flight samples over a
// stable window (and a short panic window for bursts) to a number of instances, bounded by the function's limits,
// with scale to zero only after idleSeconds without any traffic.
import type { InflightReport } from "../../api/instances.js";

export interface ScalingSpec {
  minInstances: number;
  maxInstances: number;
  idleSeconds: number;
  perInstance: number;
  /** hard cap on concurrent requests; instances beyond ceil(reserved / perInstance) could never be used */
  reserved?: number;
}

export interface ScalingConfig {
  /** averaging window for steady traffic (Knative's default: 60 s) */
  stableWindowMs: number;
  /** short window that reacts to bursts (Knative: 10% of the stable window) */
  panicWindowMs: number;
  /** panic when the panic window wants this many times the current instances */
  panicThreshold: number;
  /** gateway reports older than this are ignored (gateways report every second) */
  reportStaleMs: number;
}

export const DEFAULT_SCALING_CONFIG: ScalingConfig = {
  stableWindowMs: 60_000,
  panicWindowMs: 6_000,
  panicThreshold: 2,
  reportStaleMs: 5_000,
};

export interface Sample {
  at: number;
  /** in-flight requests summed over gateways (average over their interval, plus those held by activators) */
  inflight: number;
}

export interface ScalingState {
  samples: Sample[];
  /** last time any traffic or demand was seen */
  lastActiveAt?: number;
  /** requests held by activators as of the last demand signal, and when */
  demand?: { waiting: number; at: number };
  panicUntil?: number;
  /** the last decision */
  desired: number;
}

export const initialScalingState = (): ScalingState => ({ samples: [], desired: 0 });

/** Folds the gateways' current reports into one sample. Pure. */
export function sampleReports(
  reports: InflightReport[],
  now: number,
  config: ScalingConfig,
): { sample: Sample; active: boolean } {
  let inflight = 0;
  let active = false;
  for (const report of reports) {
    if (now - report.at > config.reportStaleMs) continue;
    inflight += report.average + report.waiting;
    if (report.requests > 0 || report.max > 0 || report.waiting > 0 || report.average > 0) active = true;
  }
  return { sample: { at: now, inflight }, active };
}

/** Adds a sample and drops those older than the stable window. Pure. */
export function observe(
  state: ScalingState,
  sample: Sample,
  active: boolean,
  config: ScalingConfig,
): ScalingState {
  const samples = [...state.samples, sample].filter((s) => sample.at - s.at < config.stableWindowMs);
  return { ...state, samples, lastActiveAt: active ? sample.at : state.lastActiveAt };
}

/** A gateway holds requests for the function: scale from zero now, without waiting for the next sample. Pure. */
export function observeDemand(state: ScalingState, waiting: number, now: number): ScalingState {
  return { ...state, lastActiveAt: now, demand: { waiting: Math.max(1, waiting), at: now } };
}

export interface Decision {
  desired: number;
  reason: "min" | "idle" | "demand" | "stable" | "panic" | "max" | "reserved" | "keep-warm";
  state: ScalingState;
}

export function desiredInstances(
  spec: ScalingSpec,
  state: ScalingState,
  now: number,
  config: ScalingConfig,
): Decision {
  const perInstance = Math.max(1, spec.perInstance);
  const average = (windowMs: number) => {
    const inWindow = state.samples.filter((s) => now - s.at < windowMs);
    return inWindow.length === 0 ? 0 : inWindow.reduce((sum, s) => sum + s.inflight, 0) / inWindow.length;
  };
  const stableWant = Math.ceil(average(config.stableWindowMs) / perInstance);
  const panicWant = Math.ceil(average(config.panicWindowMs) / perInstance);

  let panicUntil = state.panicUntil !== undefined && state.panicUntil > now ? state.panicUntil : undefined;
  if (panicWant > state.desired && panicWant >= config.panicThreshold * Math.max(1, state.desired)) {
    panicUntil = now + config.stableWindowMs;
  }
  let want: number;
  let reason: Decision["reason"];
  if (panicUntil !== undefined) {
    // In panic the function never scales down: a burst that just ended is likely to come back.
    want = Math.max(panicWant, stableWant, state.desired);
    reason = "panic";
  } else {
    want = stableWant;
    reason = "stable";
  }
  const demandFresh = state.demand !== undefined && now - state.demand.at < config.stableWindowMs;
  if (demandFresh && state.demand) {
    const demandWant = Math.ceil(state.demand.waiting / perInstance);
    if (demandWant > want) {
      want = demandWant;
      reason = "demand";
    }
  }
  const idle = state.lastActiveAt === undefined || now - state.lastActiveAt >= spec.idleSeconds * 1000;
  if (idle) {
    want = 0;
    reason = "idle";
  } else if (want < 1) {
    want = 1;
    reason = "keep-warm";
  }
  const reservedCap = spec.reserved !== undefined ? Math.ceil(spec.reserved / perInstance) : Infinity;
  if (want > reservedCap) {
    want = reservedCap;
    reason = "reserved";
  }
  if (want > spec.maxInstances) {
    want = spec.maxInstances;
    reason = "max";
  }
  if (want < spec.minInstances) {
    want = spec.minInstances;
    reason = "min";
  }
  return { desired: want, reason, state: { ...state, panicUntil, desired: want } };
}
