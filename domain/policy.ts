import type { Condition } from './case-status.js';
import { durationMs } from './duration.js';

/** A market's return policy; a case snapshots the one in force when it starts and keeps it. */
export interface Policy {
  market: string;
  returnWindow: string;
  labelReminderAfter: string;
  parcelDeadline: string;
  inspectionDeadline: string;
  followUpAfter: string;
  restockingFeePercent: { opened: number; damaged: number };
  exchangeWithoutReturnMaxValue: number;
  nonReturnableCategories: string[];
  /** How long a manager has to decide on an approval before the case shows as stuck. */
  approvalDeadline?: string;
  /** How long a case may wait for an out-of-stock replacement before it shows as stuck. */
  replacementStockDeadline?: string;
  /** How long an out-of-stock replacement is tried for at all: then the exchange becomes a credit (goods back) or ends. */
  replacementGiveUpAfter?: string;
  /** Who issues the market's return labels: `local` (default, dock scan) or `postnord` (polled for tracking). */
  labelCarrier?: 'local' | 'postnord';
  /** When the money goes back: once the parcel is received, or once it is inspected (default). */
  refundOn?: 'receipt' | 'inspection';
  /** From the case's start: the latest the refund may settle (right of withdrawal: 14 days). */
  refundDeadline?: string;
  /** Added on top when the customer takes store credit instead of money. */
  storeCreditBonusPercent?: number;
  /** Kept from a refund (minor units), except for defective goods. */
  returnShippingFee?: number;
  /** The reasons a customer picks from in the portal (default DEFAULT_RETURN_REASONS). */
  returnReasons?: ReturnReason[];
  /** Abuse signals (domain/abuse-signals.ts): from this share of the ordered value returned (0–1), a serial returner… */
  serialReturnerRate?: number;
  /** …once there are at least this many returns in 12 months (default 3). Their new goods-back cases wait for approval. */
  serialReturnerMinCases?: number;
}

/** The languages the customer portal and e-mails speak. */
export const CUSTOMER_LANGUAGES = ['en', 'nb', 'sv', 'da', 'fi'] as const;
export type CustomerLanguage = (typeof CUSTOMER_LANGUAGES)[number];

/** One reason of the shop's list: a stable code (stored on the case line) and its label per language. */
export interface ReturnReason {
  code: string;
  labels: Record<CustomerLanguage, string>;
}

/** The reasons a shop offers unless its policy lists its own. `defective` waives the return shipping fee. */
export const DEFAULT_RETURN_REASONS: readonly ReturnReason[] = [
  {
    code: 'wrong_size',
    labels: { en: 'Wrong size', nb: 'Feil størrelse', sv: 'Fel storlek', da: 'Forkert størrelse', fi: 'Väärä koko' },
  },
  {
    code: 'changed_mind',
    labels: {
      en: 'Changed my mind',
      nb: 'Ombestemt meg',
      sv: 'Ångrat mig',
      da: 'Fortrudt købet',
      fi: 'Muutin mieleni',
    },
  },
  {
    code: 'defective',
    labels: { en: 'Defective', nb: 'Defekt', sv: 'Defekt', da: 'Defekt', fi: 'Viallinen' },
  },
  {
    code: 'not_as_described',
    labels: {
      en: 'Not as described',
      nb: 'Ikke som beskrevet',
      sv: 'Inte som beskrivet',
      da: 'Ikke som beskrevet',
      fi: 'Ei vastannut kuvausta',
    },
  },
  {
    code: 'arrived_late',
    labels: {
      en: 'Arrived too late',
      nb: 'Kom for sent',
      sv: 'Kom för sent',
      da: 'Kom for sent',
      fi: 'Saapui liian myöhään',
    },
  },
  { code: 'other', labels: { en: 'Other', nb: 'Annet', sv: 'Annat', da: 'Andet', fi: 'Muu' } },
];

/** The reasons of a policy, the built-in list when it has none. */
export const returnReasonsOf = (policy: Policy): readonly ReturnReason[] =>
  policy.returnReasons?.length ? policy.returnReasons : DEFAULT_RETURN_REASONS;

/** Reasons whose goods are the shop's fault: no return shipping fee (see payoutFor in domain/refunds.ts). */
export const FEE_FREE_REASONS: readonly string[] = ['defective'];

/** The refund rules of a policy, defaults applied (fields added in v1.1; older snapshots lack them). */
export function refundTerms(policy: Policy): {
  refundOn: 'receipt' | 'inspection';
  refundDeadline: string;
  storeCreditBonusPercent: number;
  returnShippingFee: number;
} {
  return {
    refundOn: policy.refundOn ?? 'inspection',
    refundDeadline: policy.refundDeadline ?? 'P14D',
    storeCreditBonusPercent: policy.storeCreditBonusPercent ?? 0,
    returnShippingFee: policy.returnShippingFee ?? 0,
  };
}

/** Deadlines added to Policy after the first cases started: snapshots without them use these. */
const DEFAULT_APPROVAL_DEADLINE = 'P3D';
const DEFAULT_REPLACEMENT_STOCK_DEADLINE = 'P7D';
const DEFAULT_REPLACEMENT_GIVE_UP = 'P30D';

export function policyDeadlines(policy: Policy): {
  approval: string;
  replacementStock: string;
  replacementGiveUp: string;
} {
  return {
    approval: policy.approvalDeadline ?? DEFAULT_APPROVAL_DEADLINE,
    replacementStock: policy.replacementStockDeadline ?? DEFAULT_REPLACEMENT_STOCK_DEADLINE,
    replacementGiveUp: policy.replacementGiveUpAfter ?? DEFAULT_REPLACEMENT_GIVE_UP,
  };
}

export const DEFAULT_POLICY: Policy = {
  market: 'default',
  returnWindow: 'P30D',
  labelReminderAfter: 'P7D',
  parcelDeadline: 'P30D',
  inspectionDeadline: 'PT48H',
  followUpAfter: 'P7D',
  restockingFeePercent: { opened: 0, damaged: 20 },
  exchangeWithoutReturnMaxValue: 50_000,
  nonReturnableCategories: [],
  approvalDeadline: DEFAULT_APPROVAL_DEADLINE,
  replacementStockDeadline: DEFAULT_REPLACEMENT_STOCK_DEADLINE,
};

/** Restocking fee by the inspected condition: unused goods cost nothing, defects are the shop's fault. */
export function restockingFeePercent(policy: Policy, condition: Condition): number {
  switch (condition) {
    case 'opened':
      return policy.restockingFeePercent.opened;
    case 'damaged':
      return policy.restockingFeePercent.damaged;
    default:
      return 0;
  }
}

export interface OrderForPolicy {
  placedAt: string;
  deliveredAt?: string | null;
  lines: { id: string; sku: string; quantity: number }[];
}

export interface ProductForPolicy {
  category: string;
  returnable: boolean;
}

export interface RequestedLine {
  orderLineId: string;
  quantity: number;
}

/** A broken policy rule, naming the request field it concerns (problem+json `errors`). */
export interface PolicyViolation {
  field: string;
  detail: string;
}

/** The end of the return window: from delivery, or from the order date when no delivery date is known. */
export function returnWindowEndsAt(order: Pick<OrderForPolicy, 'placedAt' | 'deliveredAt'>, policy: Policy): Date {
  return new Date(new Date(order.deliveredAt ?? order.placedAt).getTime() + durationMs(policy.returnWindow));
}

/** May this product come back at all? Not when marked non-returnable or in a non-returnable category. */
export function isReturnableProduct(product: ProductForPolicy | undefined, policy: Policy): boolean {
  if (!product) return true; // unknown to the catalogue: nothing says otherwise
  return product.returnable !== false && !policy.nonReturnableCategories.includes(product.category);
}

/**
 * The rules every channel applies before a case may start: the return window (returnWindowEndsAt),
 * returnable products (isReturnableProduct), and never more than bought minus what other cases
 * already claim.
 */
export function checkReturnRequest(args: {
  order: OrderForPolicy;
  products: ReadonlyMap<string, ProductForPolicy>;
  claimed: ReadonlyMap<string, number>;
  lines: readonly RequestedLine[];
  policy: Policy;
  now: Date;
  requiresGoods: boolean;
}): PolicyViolation[] {
  const { order, products, claimed, lines, policy, now } = args;
  const violations: PolicyViolation[] = [];
  if (now.getTime() > returnWindowEndsAt(order, policy).getTime()) {
    violations.push({ field: 'orderId', detail: `the ${policy.returnWindow} return window has passed` });
  }
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    const field = `lines[${i}]`;
    if (seen.has(line.orderLineId)) {
      violations.push({ field: `${field}.orderLineId`, detail: 'the same order line is listed twice' });
      return;
    }
    seen.add(line.orderLineId);
    const orderLine = order.lines.find((l) => l.id === line.orderLineId);
    if (!orderLine) {
      violations.push({ field: `${field}.orderLineId`, detail: `order has no line ${line.orderLineId}` });
      return;
    }
    if (args.requiresGoods && !isReturnableProduct(products.get(orderLine.sku), policy)) {
      violations.push({ field: `${field}.orderLineId`, detail: `product ${orderLine.sku} is not returnable` });
    }
    const available = orderLine.quantity - (claimed.get(line.orderLineId) ?? 0);
    if (line.quantity > available) {
      violations.push({
        field: `${field}.quantity`,
        detail: `only ${available} of ${orderLine.quantity} can still be returned`,
      });
    }
  });
  return violations;
}
