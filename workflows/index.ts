export { campaign } from './campaign.js';
export { reconcileCases } from './reconcile-cases.js';
export { returnCase } from './return-case.js';
export { webhookDelivery } from './webhook-delivery.js';
