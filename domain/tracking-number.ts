/** Tracking numbers are compared as printed on the label: trimmed, upper case (scans, webhooks, labels). */
export const normalizeTrackingNumber = (tn: string): string => tn.trim().toUpperCase();
