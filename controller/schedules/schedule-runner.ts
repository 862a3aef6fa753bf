// One Schedule at work: wait (on the clock passed in) for the next firing of its expression, invoke the function
// asynchronously (Event) with the payload, record the outcome, repeat. The payload defaults to EventBridge's
// "Scheduled Event", which handlers written for Lambda schedules expect.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { errorMessage } from "../errors.js";
import type { Invoker } from "../invoker/invoker.js";
import type { ControllerMetrics } from "../metrics.js";
import { nextFireTime, type ParsedSchedule } from "./expression.js";

export interface ScheduleConfig {
  key: string;
  namespace: string;
  name: string;
  functionName: string;
  schedule: ParsedSchedule;
  timezone: string;
  payload?: unknown;
  region: string;
}

export interface ScheduleRunnerStatus {
  lastScheduleTime?: number;
  nextScheduleTime?: number;
  lastResult?: string;
}

/** setTimeout holds at most 2^31-1 ms (~24.8 days); longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ScheduleRunner {
  private cancel?: () => void;
  private stopped = false;
  private anchor = 0;
  private readonly status: ScheduleRunnerStatus = {};
  private inFlight?: Promise<void>;

  constructor(
    readonly config: ScheduleConfig,
    private readonly invoker: Invoker,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: ControllerMetrics,
    private readonly onStatus: (status: ScheduleRunnerStatus) => void,
  ) {}

  start(): void {
    this.anchor = this.clock.now();
    this.scheduleAfter(this.anchor);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    await this.inFlight;
  }

  private scheduleAfter(after: number): void {
    if (this.stopped) return;
    const next = nextFireTime(this.config.schedule, after, this.anchor, this.config.timezone);
    this.status.nextScheduleTime = next;
    this.onStatus({ ...this.status });
    this.waitUntil(next);
  }

  private waitUntil(at: number): void {
    if (this.stopped) return;
    const delay = at - this.clock.now();
    if (delay > 0) {
      this.cancel = this.clock.setTimer(Math.min(delay, MAX_TIMER_MS), () => this.waitUntil(at));
      return;
    }
    this.inFlight = this.fire(at).finally(() => this.scheduleAfter(Math.max(at, this.clock.now())));
  }

  private async fire(at: number): Promise<void> {
    const { namespace, functionName, key } = this.config;
    const payload = this.config.payload !== undefined ? this.config.payload : this.scheduledEvent(at);
    let result: string;
    try {
      const response = await this.invoker.invoke({
        namespace,
        name: functionName,
        payload: JSON.stringify(payload),
        type: "Event",
      });
      result =
        response.statusCode === 202 || response.statusCode === 200
          ? "Succeeded"
          : `Failed: HTTP ${response.statusCode}`;
    } catch (error) {
      result = `Failed: ${errorMessage(error)}`.slice(0, 1024);
    }
    this.metrics.scheduleRuns.inc({ schedule: key, result: result === "Succeeded" ? "ok" : "error" });
    if (result !== "Succeeded") this.logger.warn({ schedule: key, result }, "schedule run failed");
    this.status.lastScheduleTime = at;
    this.status.lastResult = result;
    this.onStatus({ ...this.status });
  }

  private scheduledEvent(at: number): unknown {
    const { region, namespace, name } = this.config;
    return {
      version: "0",
      id: randomUUID(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
      region,
      resources: [`arn:aws:events:${region}:000000000000:rule/${namespace}-${name}`],
      detail: {},
    };
  }
}
