// The webhook delivery engine shared by the mocks: signing, retries on a time scale, faults, a delivery log,
// its control routes and the inspector page.
export { createDeliveryEngine } from './engine.ts';
export type { DeliveryEngine, DeliveryEngineOptions, DeliveryRecord } from './engine.ts';
export { giveUpAfterSeconds, NO_RETRIES, STRIPE_LIKE_RETRY_SCHEDULE } from './schedule.ts';
export { newSigningSecret } from './signing.ts';
export { mountEngineControl } from './control.ts';
