/**
 * Where each field sits in a NACHA record: first and last column, 1-based and inclusive, as the
 * NACHA record layouts number them. The writer's validator and the reader share these.
 */
export type Columns = readonly [from: number, to: number];

export const FILE_HEADER = {
  priority: [2, 3],
  destination: [4, 13],
  origin: [14, 23],
  creationDate: [24, 29],
  creationTime: [30, 33],
  modifier: [34, 34],
  recordSize: [35, 37],
  blockingFactor: [38, 39],
  formatCode: [40, 40],
  originName: [64, 86],
} as const satisfies Record<string, Columns>;
export const BATCH_HEADER = {
  serviceClass: [2, 4],
  companyName: [5, 20],
  companyId: [41, 50],
  secCode: [51, 53],
  effectiveDate: [70, 75],
  odfi: [80, 87],
  batchNumber: [88, 94],
} as const satisfies Record<string, Columns>;
export const ENTRY = {
  transactionCode: [2, 3],
  routing: [4, 12],
  account: [13, 29],
  amount: [30, 39],
  endToEndId: [40, 54],
  name: [55, 76],
  addendaIndicator: [79, 79],
  trace: [80, 94],
  traceOdfi: [80, 87],
  traceSequence: [88, 94],
} as const satisfies Record<string, Columns>;
export const ADDENDA = {
  type: [2, 3],
  information: [4, 83],
  sequence: [84, 87],
  entrySequence: [88, 94],
} as const satisfies Record<string, Columns>;
