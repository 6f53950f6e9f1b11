/**
 * Seconds a person has to decide a runbook's approval: the stage's APPROVAL_TIMEOUT_SECONDS when
 * set (a positive whole number), else the runbook's own default from its policy.
 */
export function approvalTimeoutSeconds(defaultSeconds: number): number {
  const configured = Number(process.env.APPROVAL_TIMEOUT_SECONDS);
  return Number.isInteger(configured) && configured > 0 ? configured : defaultSeconds;
}
