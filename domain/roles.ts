/**
 * Who may do what: the roles an API key carries (shared/API.md "Authentication and roles").
 * `admin` may do everything; `finance` reads refunds, the reconciliation and credit notes, and may
 * retry a failed refund or settle one by hand.
 */
export const ROLES = ['admin', 'customer_service', 'portal', 'warehouse', 'manager', 'marketing', 'finance'] as const;
export type Role = (typeof ROLES)[number];
