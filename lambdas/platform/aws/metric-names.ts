/**
 * The metric vocabulary: what the handlers publish and what the stack's dashboard and alarms
 * read. Free of side effects so the CDK app can import it without starting a metrics instance.
 */
export const METRICS_NAMESPACE = 'Tollgate';

export const METRIC = {
  invoicesDecided: 'InvoicesDecided',
  autoApproved: 'AutoApproved',
  exceptionsByReason: 'ExceptionsByReason',
  approvalsDecided: 'ApprovalsDecided',
  cycleTime: 'CycleTime',
  modelInputTokens: 'ModelInputTokens',
  modelOutputTokens: 'ModelOutputTokens',
  modelCost: 'ModelCostMicroUsd',
  modelThrottles: 'ModelThrottles',
  approvalsPending: 'ApprovalsPending',
  approvalsPastDeadline: 'ApprovalsPastDeadline',
  disputeResolutionTime: 'DisputeResolutionTime',
  vendorReplyTime: 'VendorReplyTime',
} as const;
