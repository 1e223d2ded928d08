/**
 * Alerts: something a person should look at now (a burst of negative posts, an impersonator…).
 */

/** How urgent an alert is: `info` can wait, `warning` wants a look soon, `critical` needs someone now. */
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Where an alert stands: `open` until someone takes it on (`acknowledged`), `closed` once dealt with. */
export const ALERT_STATUSES = ['open', 'acknowledged', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface Alert {
  readonly id: number;
  /** What raised it, e.g. `burst`, `impersonation`. */
  readonly type: string;
  readonly severity: AlertSeverity;
  readonly status: AlertStatus;
  readonly title: string;
  /** De-duplication key: an open alert with the same key is updated, not repeated. */
  readonly key: string;
  /** Why: counts vs baseline, sample post ids… */
  readonly evidence: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
}
