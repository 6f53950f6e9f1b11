import type { RunbookModule } from '#platform/runs/core/runbook-module.ts';
import { bankReconciliation } from './bank-reconciliation/module.ts';
import { deploymentCheck } from './deployment-check/module.ts';
import { invoiceReconciliation } from './invoice-reconciliation/module.ts';
import { paymentRun } from './payment-run/module.ts';
import { refundPayout } from './refund-payout/module.ts';
import { vendorBankChange } from './vendor-bank-change/module.ts';
import { vendorInquiry } from './vendor-inquiry/module.ts';

/** Every runbook Tollgate ships: the stack, the local runtime and the API read this list and nothing else. */
const modules: RunbookModule[] = [
  deploymentCheck,
  invoiceReconciliation,
  paymentRun,
  bankReconciliation,
  vendorBankChange,
  refundPayout,
  vendorInquiry,
];

export function runbookModules(): readonly RunbookModule[] {
  return modules;
}

export function runbookModule(name: string): RunbookModule | undefined {
  return modules.find((module) => module.name === name);
}

/**
 * Adds a runbook beside the shipped ones, in this process only: what a test (or a local
 * extension) uses before it starts the local stack. A name already registered is refused.
 */
export function registerRunbook(module: RunbookModule): void {
  if (runbookModule(module.name)) throw new Error(`A runbook named "${module.name}" is already registered.`);
  modules.push(module);
}
