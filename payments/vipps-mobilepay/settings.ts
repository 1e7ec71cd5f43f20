/** Vipps MobilePay settings, and what every request made with them carries. */

export const VIPPS_DEFAULT_API_URL = 'https://api.vipps.no';

export interface VippsMobilePaySettings {
  /** `VIPPS_CLIENT_ID` */
  clientId: string;
  /** `VIPPS_CLIENT_SECRET` */
  clientSecret: string;
  /** `VIPPS_SUBSCRIPTION_KEY`: sent as `Ocp-Apim-Subscription-Key`. */
  subscriptionKey: string;
  /** `VIPPS_MERCHANT_SERIAL_NUMBER`: sent as `Merchant-Serial-Number`. */
  merchantSerialNumber: string;
  /** `VIPPS_API_URL`: https://api.vipps.no (production) or https://apitest.vipps.no (test). */
  apiUrl?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** The clock of the token cache (ms since the epoch); tests move it. */
  now?: () => number;
  /** `Vipps-System-Name` / `-Version` (≤ 30 chars each). */
  systemName?: string;
  systemVersion?: string;
}

/** Shared by the token request and the ePayment calls. */
export interface VippsConnection {
  base: string;
  timeoutMs: number;
  systemHeaders: Record<string, string>;
}

export function vippsConnection(settings: VippsMobilePaySettings): VippsConnection {
  return {
    base: (settings.apiUrl ?? VIPPS_DEFAULT_API_URL).replace(/\/+$/, ''),
    timeoutMs: settings.timeoutMs ?? 10_000,
    systemHeaders: {
      'vipps-system-name': (settings.systemName ?? 'returns-orchestrator').slice(0, 30),
      'vipps-system-version': (settings.systemVersion ?? '0.1.0').slice(0, 30),
      'vipps-system-plugin-name': 'payments-vipps-mobilepay',
      'vipps-system-plugin-version': '1',
    },
  };
}
