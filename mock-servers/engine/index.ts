// The webhook delivery engine shared by the mocks: signing, retries on a time scale, faults, a delivery log,
// the control API and the inspector page.
export { createDeliveryEngine } from './engine.ts';
export type { AttemptRecord, DeliveryEngine, DeliveryEngineOptions, DeliveryInput, DeliveryRecord, DeliveryStatus, EngineChange, WebhookEndpoint } from './engine.ts';
export { FAULT_MODES, createFaultBook } from './faults.ts';
export type { FaultBook, FaultMode, FaultRule } from './faults.ts';
export { giveUpAfterSeconds, NO_RETRIES, scaledMs, STRIPE_LIKE_RETRY_SCHEDULE } from './schedule.ts';
export { corruptSignature, newSigningSecret, signatureHeaders, signGitHub, signStandard, signStripe } from './signing.ts';
export type { SignInput, SigningScheme } from './signing.ts';
export { ControlInputError, isControlPath, mountControl } from './control.ts';
export type { ControlHooks } from './control.ts';
