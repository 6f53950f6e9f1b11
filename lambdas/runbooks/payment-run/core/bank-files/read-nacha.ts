import { formatMoney, fromMinor } from '#platform/core/money.ts';
import { validateNacha } from './nacha.ts';
import { ADDENDA, BATCH_HEADER, type Columns, ENTRY, FILE_HEADER } from './nacha-layout.ts';
import type { SentPayment, SentPaymentFile } from './read-pain001.ts';

/**
 * Reads the credits of a NACHA file back: one SentPayment per entry detail (record 6), its
 * remittance from the type 05 addenda that follows it. The file is first checked whole by
 * `validateNacha`, so every field read here has already passed its format and control checks.
 *
 * Where buildNacha puts things: the end-to-end id in the entry's 15-character identification
 * number (columns 40–54); the receiver's name (55–76), cut to 22 characters and upper-cased, so
 * it reads back as the bank shows it, not as the vendor master spells it. A NACHA file carries
 * no originator account number: the company identification (batch header 41–50) is what the
 * ODFI knows the originator's funding account by, so it stands in as `originatorAccount`.
 */

const SAVINGS_CREDIT = '32';

function field(line: string, [from, to]: Columns): string {
  return line.slice(from - 1, to).trim();
}

/** CCD remittance is an RMR segment (`RMR*IV*<invoice>**<amount>\`): the invoice is what the payer wrote. */
function remittanceOf(information: string): string {
  if (!information.startsWith('RMR*') || !information.endsWith('\\')) return information;
  const elements = information.slice(0, -1).split('*');
  return elements[2] ?? information;
}

/** Reads the credits of a NACHA file, after `validateNacha` has accepted it whole. Amounts are USD decimal strings. */
export function readNacha(content: string): SentPaymentFile {
  const summary = validateNacha(content);
  const lines = content.split(/\r?\n/);
  const payments: SentPayment[] = [];
  let originatorName = '';
  let executionDate = '';
  let batch = { companyId: '', batchNumber: '' };
  // Bounded: validateNacha has refused a file longer than MAX_FILE_CHARACTERS.
  for (const line of lines) {
    switch (line[0]) {
      case '1':
        originatorName = field(line, FILE_HEADER.originName) || field(line, FILE_HEADER.origin);
        break;
      case '5': {
        batch = {
          companyId: field(line, BATCH_HEADER.companyId),
          batchNumber: String(Number(field(line, BATCH_HEADER.batchNumber))),
        };
        const effective = field(line, BATCH_HEADER.effectiveDate);
        if (executionDate === '')
          executionDate = `20${effective.slice(0, 2)}-${effective.slice(2, 4)}-${effective.slice(4, 6)}`;
        originatorName = originatorName || field(line, BATCH_HEADER.companyName);
        break;
      }
      case '6': {
        const routing = field(line, ENTRY.routing);
        payments.push({
          endToEndId: field(line, ENTRY.endToEndId),
          amount: formatMoney(fromMinor(BigInt(field(line, ENTRY.amount)), 'USD')),
          currency: 'USD',
          creditor: {
            name: field(line, ENTRY.name),
            account: {
              kind: 'ach',
              routingNumber: routing,
              accountNumber: field(line, ENTRY.account),
              accountType: field(line, ENTRY.transactionCode) === SAVINGS_CREDIT ? 'savings' : 'checking',
            },
          },
          remittance: [],
          originatorAccount: batch.companyId,
          paymentInfoId: batch.batchNumber,
        });
        break;
      }
      case '7': {
        // validateNacha has tied every addenda to the entry just before it.
        const payment = payments[payments.length - 1];
        const information = field(line, ADDENDA.information);
        if (payment !== undefined && information !== '') payment.remittance.push(remittanceOf(information));
        break;
      }
      default:
        break;
    }
  }
  // Pair assertion: what was read is what the validator counted.
  if (payments.length !== summary.numberOfTransactions) {
    throw new Error(`Read ${payments.length} entries where the file holds ${summary.numberOfTransactions}.`);
  }
  return { format: 'nacha', messageId: summary.messageId, originatorName, executionDate, payments };
}
